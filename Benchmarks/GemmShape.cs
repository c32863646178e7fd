namespace MiniBioBert.Benchmarks;

/// <summary>Floating-point operations one benchmark invocation performs, read by <see cref="GflopsColumn"/>.</summary>
public interface IFlopCount
{
    /// <summary>Operations per invocation (a fused multiply-add counts as 2).</summary>
    double Flops { get; }
}

/// <summary>
/// A product C[m, n] = op(A)[m, k] · op(B)[k, n], repeated <paramref name="Batch"/> times; named after where the
/// default model (hidden 256, FFN 1024, 4 heads of 64, 32 sequences of 128 tokens) computes it.
/// </summary>
public sealed record GemmShape(string Name, int M, int K, int N, bool TransposeA = false, bool TransposeB = false, int Batch = 1)
    : IFlopCount
{
    /// <inheritdoc/>
    public double Flops => 2.0 * M * N * K * Batch;

    /// <summary>Row stride of A as stored.</summary>
    public int Lda => TransposeA ? M : K;

    /// <summary>Row stride of B as stored.</summary>
    public int Ldb => TransposeB ? K : N;

    /// <summary>BenchmarkDotNet shows this in the parameter column.</summary>
    public override string ToString() =>
        $"{Name} {M}x{K}{(TransposeA ? "ᵀ" : "")}·{K}x{N}{(TransposeB ? "ᵀ" : "")}{(Batch > 1 ? $" ×{Batch}" : "")}";
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace MiniBioBert.Benchmarks;

/// <summary>How much work the FMA peak benchmark does: independent FMA chains of one vector width on every thread.</summary>
public sealed record FmaLoad(int Threads, long Iterations, int VectorFloats) : IFlopCount
{
    /// <summary>Independent accumulator chains per thread: at least FMA latency (4) × FMA pipes (2) to keep both busy.</summary>
    public const int Chains = 10;

    /// <inheritdoc/>
    public double Flops => 2.0 * VectorFloats * Chains * Iterations * Threads;

    public override string ToString() => $"{Threads} threads × {Chains} chains × {VectorFloats} floats";
}

/// <summary>
/// This machine's FP32 peak with <c>Vector256</c> FMA (AVX2) and, where the machine has AVX-512, with <c>Vector512</c>:
/// the ceilings the GEMM's GFLOP/s are a fraction of (the GEMM uses the wider one when it can).
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
public class GemmFmaPeakBenchmarks
{
    public static IEnumerable<FmaLoad> Loads => Avx512F.IsSupported
        ? [new(Environment.ProcessorCount, 20_000_000, Vector256<float>.Count), new(Environment.ProcessorCount, 20_000_000, Vector512<float>.Count)]
        : [new(Environment.ProcessorCount, 20_000_000, Vector256<float>.Count)];

    [ParamsSource(nameof(Loads))]
    public FmaLoad Load { get; set; } = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        if (!Fma.IsSupported)
        {
            throw new PlatformNotSupportedException("FMA is not supported on this machine: no FMA peak to measure.");
        }
    }

    [Benchmark]
    public float FmaPeak()
    {
        var results = new float[Load.Threads];
        Func<long, float> chains = Load.VectorFloats == Vector512<float>.Count ? Chains512 : Chains256;
        Parallel.For(0, Load.Threads, new ParallelOptions { MaxDegreeOfParallelism = Load.Threads },
            thread => results[thread] = chains(Load.Iterations));
        return results.Sum();
    }

    /// <summary>x ← x·0.9999 + 0.0001 on 10 independent vectors: converges to 1, so no denormals or overflow.</summary>
    private static float Chains256(long iterations)
    {
        var scale = Vector256.Create(0.9999f);
        var shift = Vector256.Create(0.0001f);
        Vector256<float> x0 = Vector256.Create(0.1f), x1 = Vector256.Create(0.2f), x2 = Vector256.Create(0.3f);
        Vector256<float> x3 = Vector256.Create(0.4f), x4 = Vector256.Create(0.5f), x5 = Vector256.Create(0.6f);
        Vector256<float> x6 = Vector256.Create(0.7f), x7 = Vector256.Create(0.8f), x8 = Vector256.Create(0.9f);
        Vector256<float> x9 = Vector256.Create(1.1f);
        for (long i = 0; i < iterations; i++)
        {
            x0 = Fma.MultiplyAdd(x0, scale, shift);
            x1 = Fma.MultiplyAdd(x1, scale, shift);
            x2 = Fma.MultiplyAdd(x2, scale, shift);
            x3 = Fma.MultiplyAdd(x3, scale, shift);
            x4 = Fma.MultiplyAdd(x4, scale, shift);
            x5 = Fma.MultiplyAdd(x5, scale, shift);
            x6 = Fma.MultiplyAdd(x6, scale, shift);
            x7 = Fma.MultiplyAdd(x7, scale, shift);
            x8 = Fma.MultiplyAdd(x8, scale, shift);
            x9 = Fma.MultiplyAdd(x9, scale, shift);
        }
        var sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9;
        return Vector256.Sum(sum);
    }

    /// <summary>
    /// The same 10 chains on <c>Vector512</c> (twice the floats per instruction). Written out like the one above rather
    /// than shared through a generic: a generic version over both widths measured a quarter of this rate (see docs/benchmarks.md).
    /// </summary>
    private static float Chains512(long iterations)
    {
        var scale = Vector512.Create(0.9999f);
        var shift = Vector512.Create(0.0001f);
        Vector512<float> x0 = Vector512.Create(0.1f), x1 = Vector512.Create(0.2f), x2 = Vector512.Create(0.3f);
        Vector512<float> x3 = Vector512.Create(0.4f), x4 = Vector512.Create(0.5f), x5 = Vector512.Create(0.6f);
        Vector512<float> x6 = Vector512.Create(0.7f), x7 = Vector512.Create(0.8f), x8 = Vector512.Create(0.9f);
        Vector512<float> x9 = Vector512.Create(1.1f);
        for (long i = 0; i < iterations; i++)
        {
            x0 = Avx512F.FusedMultiplyAdd(x0, scale, shift);
            x1 = Avx512F.FusedMultiplyAdd(x1, scale, shift);
            x2 = Avx512F.FusedMultiplyAdd(x2, scale, shift);
            x3 = Avx512F.FusedMultiplyAdd(x3, scale, shift);
            x4 = Avx512F.FusedMultiplyAdd(x4, scale, shift);
            x5 = Avx512F.FusedMultiplyAdd(x5, scale, shift);
            x6 = Avx512F.FusedMultiplyAdd(x6, scale, shift);
            x7 = Avx512F.FusedMultiplyAdd(x7, scale, shift);
            x8 = Avx512F.FusedMultiplyAdd(x8, scale, shift);
            x9 = Avx512F.FusedMultiplyAdd(x9, scale, shift);
        }
        var sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9;
        return Vector512.Sum(sum);
    }
}

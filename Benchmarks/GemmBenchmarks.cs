using BenchmarkDotNet.Attributes;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Benchmarks;

/// <summary>Holds the operands of the current shape and OpenBLAS's thread count for the GEMM benchmarks.</summary>
public abstract unsafe class GemmBenchmarkBase
{
    /// <summary>OpenBLAS gets as many threads as our GEMM uses: all cores.</summary>
    protected static readonly int Threads = Environment.ProcessorCount;

    private MatrixOperands? _operands;

    protected MatrixOperands Operands => _operands ?? throw new InvalidOperationException("GlobalSetup has not run.");

    protected void Setup(GemmShape shape)
    {
        OpenBlas.Initialize(Threads);
        _operands = new MatrixOperands(shape);
    }

    [GlobalCleanup]
    public void Cleanup() => _operands?.Dispose();

    protected void RunOurs()
    {
        var (s, o) = (Operands.Shape, Operands);
        Gemm.Multiply(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, o.A, s.Lda, o.B, s.Ldb, 0f, o.C, s.N);
    }

    protected void RunOpenBlas()
    {
        var (s, o) = (Operands.Shape, Operands);
        OpenBlas.Multiply(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, o.A, s.Lda, o.B, s.Ldb, 0f, o.C, s.N);
    }
}

/// <summary>Our GEMM against OpenBLAS on the products of the default model's training step.</summary>
[Config(typeof(GemmBenchmarkConfig))]
public class GemmBenchmarks : GemmBenchmarkBase
{
    /// <summary>Batch 32 × sequence 128 = 4096 token rows; hidden 256, FFN 1024, vocabulary 30522.</summary>
    public static IEnumerable<GemmShape> Shapes =>
    [
        new("attn QKV/out", 4096, 256, 256),
        new("QKV fused", 4096, 256, 768),
        new("FFN up", 4096, 256, 1024),
        new("FFN down", 4096, 1024, 256),
        new("MLM decoder", 600, 256, 30522),
        new("FFN up dW", 256, 4096, 1024, TransposeA: true),
        new("FFN up dX", 4096, 1024, 256, TransposeB: true),
    ];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [GlobalSetup]
    public void GlobalSetup() => Setup(Shape);

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm() => RunOpenBlas();

    [Benchmark]
    public void OurGemm() => RunOurs();
}

/// <summary>
/// The naive triple loop (<see cref="GemmReference"/>, double accumulation) on a scaled-down shape, with ours and
/// OpenBLAS on the same shape for comparison; on the full-size shapes it would take seconds per call.
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
public unsafe class GemmNaiveBenchmarks : GemmBenchmarkBase
{
    public static IEnumerable<GemmShape> Shapes => [new("scaled-down FFN up", 512, 256, 256)];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [GlobalSetup]
    public void GlobalSetup() => Setup(Shape);

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm() => RunOpenBlas();

    [Benchmark]
    public void OurGemm() => RunOurs();

    [Benchmark]
    public void NaiveTripleLoop()
    {
        var (s, o) = (Operands.Shape, Operands);
        GemmReference.Multiply(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, o.A, s.Lda, o.B, s.Ldb, 0f, o.C, s.N);
    }
}

/// <summary>
/// The attention products of one training step: 32 sequences × 4 heads = 128 products per call, with the transposes
/// of the forward (Q·Kᵀ, P·V) and backward (Pᵀ·dY) passes. OpenBLAS has no batched call: it is called 128 times.
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
public unsafe class GemmBatchedBenchmarks : GemmBenchmarkBase
{
    public static IEnumerable<GemmShape> Shapes =>
    [
        new("scores Q·Kᵀ", 128, 64, 128, TransposeB: true, Batch: 128),
        new("context P·V", 128, 128, 64, Batch: 128),
        new("dV = Pᵀ·dY", 128, 128, 64, TransposeA: true, Batch: 128),
    ];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [GlobalSetup]
    public void GlobalSetup() => Setup(Shape);

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemmLoop()
    {
        var (s, o) = (Operands.Shape, Operands);
        long strideA = (long)s.M * s.K, strideB = (long)s.K * s.N, strideC = (long)s.M * s.N;
        for (int i = 0; i < s.Batch; i++)
        {
            OpenBlas.Multiply(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, o.A + i * strideA, s.Lda,
                o.B + i * strideB, s.Ldb, 0f, o.C + i * strideC, s.N);
        }
    }

    [Benchmark]
    public void OurGemmBatched()
    {
        var (s, o) = (Operands.Shape, Operands);
        Gemm.MultiplyBatched(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, o.A, s.Lda, (long)s.M * s.K,
            o.B, s.Ldb, (long)s.K * s.N, 0f, o.C, s.N, (long)s.M * s.N, s.Batch);
    }
}

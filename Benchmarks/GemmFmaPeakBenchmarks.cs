using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using MiniBioBert.Engine.Cpu;

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
        Func<long, float> chains = Load.VectorFloats == Vector512<float>.Count
            ? Chains<Avx512Floats, Vector512<float>>
            : Chains<Avx2Floats, Vector256<float>>;
        Parallel.For(0, Load.Threads, new ParallelOptions { MaxDegreeOfParallelism = Load.Threads },
            thread => results[thread] = chains(Load.Iterations));
        return results.Sum();
    }

    /// <summary>
    /// x ← x·0.9999 + 0.0001 on 10 independent vectors (converges to 1, so no denormals or overflow), with the vector
    /// operations the GEMM micro-kernel uses (<see cref="ISimdFloats{TVector}"/>).
    /// </summary>
    private static unsafe float Chains<TFloats, TVector>(long iterations)
        where TFloats : ISimdFloats<TVector>
        where TVector : struct
    {
        TVector scale = TFloats.Broadcast(0.9999f), shift = TFloats.Broadcast(0.0001f);
        TVector x0 = TFloats.Broadcast(0.1f), x1 = TFloats.Broadcast(0.2f), x2 = TFloats.Broadcast(0.3f);
        TVector x3 = TFloats.Broadcast(0.4f), x4 = TFloats.Broadcast(0.5f), x5 = TFloats.Broadcast(0.6f);
        TVector x6 = TFloats.Broadcast(0.7f), x7 = TFloats.Broadcast(0.8f), x8 = TFloats.Broadcast(0.9f);
        TVector x9 = TFloats.Broadcast(1.1f);
        for (long i = 0; i < iterations; i++)
        {
            x0 = TFloats.MultiplyAdd(x0, scale, shift);
            x1 = TFloats.MultiplyAdd(x1, scale, shift);
            x2 = TFloats.MultiplyAdd(x2, scale, shift);
            x3 = TFloats.MultiplyAdd(x3, scale, shift);
            x4 = TFloats.MultiplyAdd(x4, scale, shift);
            x5 = TFloats.MultiplyAdd(x5, scale, shift);
            x6 = TFloats.MultiplyAdd(x6, scale, shift);
            x7 = TFloats.MultiplyAdd(x7, scale, shift);
            x8 = TFloats.MultiplyAdd(x8, scale, shift);
            x9 = TFloats.MultiplyAdd(x9, scale, shift);
        }
        float* lanes = stackalloc float[TFloats.Count];
        float total = 0f;
        foreach (TVector x in new[] { x0, x1, x2, x3, x4, x5, x6, x7, x8, x9 })
        {
            TFloats.Store(x, lanes);
            for (int lane = 0; lane < TFloats.Count; lane++)
            {
                total += lanes[lane];
            }
        }
        return total;
    }
}

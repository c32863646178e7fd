using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The AdamW update on the CPU: <see cref="AdamWScalars"/>'s formula eight elements at a time (Vector256; separate
/// multiplies and adds, no fused multiply-add, so every lane does the float operations of the scalar loop and of the
/// reference kernel bit for bit), over fixed chunks that run in parallel.
/// </summary>
internal static class AdamWKernels
{
    /// <summary>Floats per parallel work item (128 KiB): big enough to amortise scheduling, small enough to balance.</summary>
    private const int ChunkLength = 1 << 15;

    /// <summary>In place on parameters, m and v, the gradients multiplied by <paramref name="gradientScale"/>; see <see cref="TensorKernels.AdamWUpdate"/>.</summary>
    public static void Update(Memory<float> parameters, ReadOnlyMemory<float> gradients, Memory<float> firstMoment, Memory<float> secondMoment,
        ReadOnlyMemory<float> decayMask, AdamWScalars scalars, float gradientScale)
    {
        int chunks = (parameters.Length + ChunkLength - 1) / ChunkLength;
        CpuParallel.ForRows(chunks, 16L * ChunkLength, (first, end) =>
        {
            for (int chunk = first; chunk < end; chunk++)
            {
                int start = chunk * ChunkLength, length = Math.Min(ChunkLength, parameters.Length - start);
                UpdateChunk(parameters.Span.Slice(start, length), gradients.Span.Slice(start, length), firstMoment.Span.Slice(start, length),
                    secondMoment.Span.Slice(start, length), decayMask.Span.Slice(start, length), scalars, gradientScale);
            }
        });
    }

    // p, g, m, v, decay: [n], the same range of the five flat buffers.
    private static void UpdateChunk(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, ReadOnlySpan<float> decay, AdamWScalars s,
        float gradientScale)
    {
        ref float pRef = ref MemoryMarshal.GetReference(p);
        ref float gRef = ref MemoryMarshal.GetReference(g);
        ref float mRef = ref MemoryMarshal.GetReference(m);
        ref float vRef = ref MemoryMarshal.GetReference(v);
        ref float decayRef = ref MemoryMarshal.GetReference(decay);
        var decayFactor = Vector256.Create(s.DecayFactor);
        var one = Vector256.Create(1f);

        int i = 0;
        for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var gi = Vector256.LoadUnsafe(ref gRef, (nuint)i) * gradientScale;
            var mi = Vector256.LoadUnsafe(ref mRef, (nuint)i);
            var vi = Vector256.LoadUnsafe(ref vRef, (nuint)i);
            var decays = Vector256.Equals(Vector256.LoadUnsafe(ref decayRef, (nuint)i), Vector256<float>.Zero);
            var pi = Vector256.LoadUnsafe(ref pRef, (nuint)i) * Vector256.ConditionalSelect(decays, one, decayFactor);
            mi += s.OneMinusBeta1 * (gi - mi);
            vi = vi * s.Beta2 + s.OneMinusBeta2 * gi * gi;
            var denominator = Vector256.Sqrt(vi) / s.BiasCorrection2Sqrt + Vector256.Create(s.Epsilon);
            pi += s.NegativeStepSize * mi / denominator;
            mi.StoreUnsafe(ref mRef, (nuint)i);
            vi.StoreUnsafe(ref vRef, (nuint)i);
            pi.StoreUnsafe(ref pRef, (nuint)i);
        }
        for (; i < p.Length; i++)
        {
            float gi = Unsafe.Add(ref gRef, i) * gradientScale;
            ref float mi = ref Unsafe.Add(ref mRef, i);
            ref float vi = ref Unsafe.Add(ref vRef, i);
            ref float pi = ref Unsafe.Add(ref pRef, i);
            pi *= Unsafe.Add(ref decayRef, i) != 0f ? s.DecayFactor : 1f;
            mi += s.OneMinusBeta1 * (gi - mi);
            vi = vi * s.Beta2 + s.OneMinusBeta2 * gi * gi;
            float denominator = MathF.Sqrt(vi) / s.BiasCorrection2Sqrt + s.Epsilon;
            pi += s.NegativeStepSize * mi / denominator;
        }
    }
}

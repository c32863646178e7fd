using System.Runtime.Intrinsics;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Inverted dropout with a counter-based random stream: element i keeps its value (scaled by 1/(1−p)) unless
/// hash(seed, i) = <see cref="SplitMix64.Hash(ulong)"/>(seed + i) falls below p. The mask depends only on (seed, i), so it is the same on any number of threads
/// and can be recomputed exactly after a resume.
/// </summary>
internal static class DropoutKernels
{
    /// <summary>Writes the mask (0 or 1/(1−p)) and y = x ⊙ mask.</summary>
    public static void Forward(ReadOnlyMemory<float> x, float probability, ulong seed, Memory<float> mask, Memory<float> y) =>
        CpuParallel.ForRows(x.Length, 4, (start, end) =>
            Apply(x.Span[start..end], probability, seed, start, mask.Span[start..end], y.Span[start..end]));

    /// <summary>
    /// Dropout on a piece of a larger tensor whose first element has index <paramref name="firstIndex"/> there:
    /// the mask is the one <see cref="Forward"/> draws for those elements. Runs on the calling thread.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> x, float probability, ulong seed, long firstIndex, Span<float> mask, Span<float> y)
    {
        float keepScale = 1f / (1f - probability);
        // Compare the top 24 bits of the hash with p·2^24: an exact, branch-free uniform draw in [0, 1).
        uint threshold = (uint)(probability * (1 << 24));
        ulong first = seed + (ulong)firstIndex;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Eight elements at a time: the same hashes, in two vectors of four 64-bit lanes.
            var lanes = Vector256.Create(0UL, 1UL, 2UL, 3UL);
            var thresholds = Vector256.Create(threshold);
            var keep = Vector256.Create(keepScale);
            for (; i <= x.Length - 8; i += 8)
            {
                var counters = Vector256.Create(first + (ulong)i) + lanes;
                var draws = Vector256.Narrow(
                    Vector256.ShiftRightLogical(SplitMix64.Hash(counters), 40),
                    Vector256.ShiftRightLogical(SplitMix64.Hash(counters + Vector256.Create(4UL)), 40));
                var scale = Vector256.ConditionalSelect(Vector256.LessThan(draws, thresholds).AsSingle(), Vector256<float>.Zero, keep);
                scale.CopyTo(mask.Slice(i));
                (Vector256.Create(x.Slice(i, 8)) * scale).CopyTo(y.Slice(i));
            }
        }
        for (; i < x.Length; i++)
        {
            uint draw = (uint)(SplitMix64.Hash(first + (ulong)i) >> 40);
            float scale = draw < threshold ? 0f : keepScale;
            mask[i] = scale;
            y[i] = x[i] * scale;
        }
    }
}

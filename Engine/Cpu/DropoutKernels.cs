namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Inverted dropout with a counter-based random stream: element i keeps its value (scaled by 1/(1−p)) unless
/// hash(seed, i) falls below p. The mask depends only on (seed, i), so it is the same on any number of threads
/// and can be recomputed exactly after a resume.
/// </summary>
public static class DropoutKernels
{
    /// <summary>Writes the mask (0 or 1/(1−p)) and y = x ⊙ mask.</summary>
    public static void Forward(ReadOnlyMemory<float> x, float probability, ulong seed, Memory<float> mask, Memory<float> y)
    {
        float keepScale = 1f / (1f - probability);
        // Compare the top 24 bits of the hash with p·2^24: an exact, branch-free uniform draw in [0, 1).
        uint threshold = (uint)(probability * (1 << 24));
        CpuParallel.ForRows(x.Length, 4, (start, end) =>
        {
            var input = x.Span;
            var maskValues = mask.Span;
            var output = y.Span;
            for (int i = start; i < end; i++)
            {
                uint draw = (uint)(SplitMix64(seed + (ulong)i) >> 40);
                float scale = draw < threshold ? 0f : keepScale;
                maskValues[i] = scale;
                output[i] = input[i] * scale;
            }
        });
    }

    /// <summary>The SplitMix64 finaliser: a well-mixed 64-bit hash of a counter.</summary>
    public static ulong SplitMix64(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}

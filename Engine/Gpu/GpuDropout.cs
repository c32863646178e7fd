using ILGPU;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Inverted dropout with the counter-based mask of <see cref="DropoutKernels"/>: element i is dropped iff
/// (<see cref="SplitMix64.Hash(ulong)"/>(seed + i) &gt;&gt; 40) &lt; (uint)(p·2^24). The mask is bit-for-bit the CPU's.
/// </summary>
internal static class GpuDropout
{
    /// <summary>Writes the mask (0 or 1/(1−p)) and y = x ⊙ mask.</summary>
    public static void Forward(GpuDevice device, ArrayView<float> x, float probability, ulong seed, ArrayView<float> mask, ArrayView<float> y)
    {
        var draw = DropoutDraw.For(probability, seed);
        GpuChecks.Length("Dropout", "mask", mask, x.Length);
        GpuChecks.Length("Dropout", "y", y, x.Length);
        if (x.Length > 0)
        {
            device.Kernels.DropoutForward((int)x.Length, x, draw, mask, y);
        }
    }

    /// <summary>dx += dy ⊙ mask.</summary>
    public static void Backward(GpuDevice device, ArrayView<float> dy, ArrayView<float> mask, ArrayView<float> dx) =>
        GpuElementwise.Multiply(device, dy, mask, dx, accumulate: true);

    internal static void ForwardKernel(Index1D i, ArrayView<float> x, DropoutDraw draw, ArrayView<float> mask, ArrayView<float> y)
    {
        float scale = draw.Scale(i.X);
        mask[i] = scale;
        y[i] = x[i] * scale;
    }
}

/// <summary>
/// One dropout site, passed to kernels by value: the seed, and the threshold and scale the host computes exactly as
/// the CPU kernel does. <see cref="Scale"/> is element i's mask value, 0 or 1/(1 − p).
/// </summary>
internal readonly struct DropoutDraw
{
    public readonly ulong Seed;
    public readonly uint Threshold;
    public readonly float KeepScale;

    private DropoutDraw(ulong seed, uint threshold, float keepScale) => (Seed, Threshold, KeepScale) = (seed, threshold, keepScale);

    /// <summary>The draw for probability p in [0, 1) (throws otherwise).</summary>
    public static DropoutDraw For(float probability, ulong seed)
    {
        if (!(probability >= 0f && probability < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), $"Dropout probability {probability} is not in [0, 1).");
        }
        return new DropoutDraw(seed, (uint)(probability * (1 << 24)), 1f / (1f - probability));
    }

    /// <summary>Element <paramref name="i"/>'s mask value: 0 when (hash(seed + i) &gt;&gt; 40) &lt; threshold, else the keep scale.</summary>
    public float Scale(long i) => (uint)(SplitMix64.Hash(Seed + (ulong)i) >> 40) < Threshold ? 0f : KeepScale;
}

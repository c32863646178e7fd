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
        if (!(probability >= 0f && probability < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), $"Dropout probability {probability} is not in [0, 1).");
        }
        GpuChecks.Length("Dropout", "mask", mask, x.Length);
        GpuChecks.Length("Dropout", "y", y, x.Length);
        if (x.Length > 0)
        {
            // The host computes the threshold and the scale exactly as the CPU kernel does.
            float keepScale = 1f / (1f - probability);
            uint threshold = (uint)(probability * (1 << 24));
            device.Kernels.DropoutForward((int)x.Length, x, threshold, keepScale, seed, mask, y);
        }
    }

    /// <summary>dx += dy ⊙ mask.</summary>
    public static void Backward(GpuDevice device, ArrayView<float> dy, ArrayView<float> mask, ArrayView<float> dx) =>
        GpuElementwise.Multiply(device, dy, mask, dx, accumulate: true);

    internal static void ForwardKernel(Index1D i, ArrayView<float> x, uint threshold, float keepScale, ulong seed,
        ArrayView<float> mask, ArrayView<float> y)
    {
        uint draw = (uint)(SplitMix64.Hash(seed + (ulong)i.X) >> 40);
        float scale = draw < threshold ? 0f : keepScale;
        mask[i] = scale;
        y[i] = x[i] * scale;
    }
}

using ILGPU;
using ILGPU.Algorithms;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Gradient clipping decided on the device: from the sums of squares of every gradient buffer, the norm, the clipping
/// factor and whether the step may update (<see cref="StepControl"/>), written into the step-control tensor that the
/// AdamW kernel reads. The host learns them with the rest of the step's results, after the update.
/// </summary>
internal static class GpuClipping
{
    /// <summary>
    /// control[norm, factor, apply] from <paramref name="sumsOfSquares"/> (one Σg² per gradient buffer) and
    /// control[loss sum]; <paramref name="maxNorm"/> as in <see cref="StepControl.ClipFactorFor"/>.
    /// </summary>
    public static void Decide(GpuDevice device, ArrayView<float> sumsOfSquares, ArrayView<float> control, double maxNorm)
    {
        GpuChecks.Length("GradientClipping", "control", control, StepControl.Length);
        device.Kernels.ClipFactor(1, sumsOfSquares, control, maxNorm);
    }

    /// <summary>One thread: the buffers' sums added in double, in order, then the host's formula.</summary>
    internal static void Kernel(Index1D i, ArrayView<float> sumsOfSquares, ArrayView<float> control, double maxNorm)
    {
        double sum = 0;
        for (int b = 0; b < sumsOfSquares.Length; b++)
        {
            sum += sumsOfSquares[b];
        }
        double norm = XMath.Sqrt(sum);
        float loss = control[StepControl.LossSum];
        control[StepControl.GradientNorm] = (float)norm;
        control[StepControl.ClipFactor] = StepControl.ClipFactorFor(norm, maxNorm);
        control[StepControl.Apply] = norm - norm == 0 && loss - loss == 0f ? 1f : 0f;
    }
}

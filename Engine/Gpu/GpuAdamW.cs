using ILGPU;
using ILGPU.Algorithms;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// One AdamW update over flat parameter, gradient, moment and decay-mask buffers, one thread per element, with the
/// float operations of <see cref="AdamWScalars"/> (the CPU's and the reference kernel's, in the same order).
/// decay[i] is 1 for weights that decay and 0 for biases and layer-norm parameters.
/// </summary>
internal static class GpuAdamW
{
    /// <summary>Applies the update of <paramref name="scalars"/> in place to parameters, m and v.</summary>
    public static void Step(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> decay, AdamWScalars scalars)
    {
        foreach (var (name, view) in new[] { ("gradients", gradients), ("m", m), ("v", v), ("decay", decay) })
        {
            GpuChecks.Length("AdamW", name, view, parameters.Length);
        }
        if (parameters.Length == 0)
        {
            return;
        }
        device.Kernels.AdamW((int)parameters.Length, parameters, gradients, m, v, decay, scalars);
    }

    internal static void Kernel(Index1D i, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> decay, AdamWScalars s)
    {
        float gradient = gradients[i] * s.GradientScale;
        float parameter = parameters[i] * (decay[i] != 0f ? s.DecayFactor : 1f);
        float firstMoment = m[i] + s.OneMinusBeta1 * (gradient - m[i]);
        float secondMoment = v[i] * s.Beta2 + s.OneMinusBeta2 * gradient * gradient;
        float denominator = XMath.Sqrt(secondMoment) / s.BiasCorrection2Sqrt + s.Epsilon;
        parameters[i] = parameter + s.NegativeStepSize * firstMoment / denominator;
        m[i] = firstMoment;
        v[i] = secondMoment;
    }
}

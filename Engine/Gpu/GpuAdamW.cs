using ILGPU;
using ILGPU.Algorithms;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// One AdamW update over flat parameter, gradient, moment and decay-mask buffers, one thread per element, with the
/// float operations of <see cref="AdamWScalars"/> (the CPU's and the reference kernel's, in the same order).
/// decay[i] is 1 for weights that decay and 0 for biases and layer-norm parameters. The gradient scale and whether to
/// update at all come from the step-control tensor on the device (<see cref="StepControl"/>), so that clipping and
/// skipping a non-finite step need no answer from the host.
/// </summary>
internal static class GpuAdamW
{
    /// <summary>
    /// Applies the update of <paramref name="scalars"/> in place to parameters, m and v, with the gradients multiplied
    /// by control[<see cref="StepControl.ClipFactor"/>]; nothing changes when control[<see cref="StepControl.Apply"/>] is 0.
    /// </summary>
    public static void Step(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> decay, AdamWScalars scalars, ArrayView<float> control)
    {
        GpuChecks.Length("AdamW", "control", control, StepControl.Length);
        foreach (var (name, view) in new[] { ("gradients", gradients), ("m", m), ("v", v), ("decay", decay) })
        {
            GpuChecks.Length("AdamW", name, view, parameters.Length);
        }
        if (parameters.Length == 0)
        {
            return;
        }
        device.Kernels.AdamW((int)parameters.Length, parameters, gradients, m, v, decay, scalars, control);
    }

    internal static void Kernel(Index1D i, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> decay, AdamWScalars s, ArrayView<float> control)
    {
        if (control[StepControl.Apply] == 0f)
        {
            return;
        }
        float gradient = gradients[i] * control[StepControl.ClipFactor];
        float parameter = parameters[i] * (decay[i] != 0f ? s.DecayFactor : 1f);
        float firstMoment = m[i] + s.OneMinusBeta1 * (gradient - m[i]);
        float secondMoment = v[i] * s.Beta2 + s.OneMinusBeta2 * gradient * gradient;
        float denominator = XMath.Sqrt(secondMoment) / s.BiasCorrection2Sqrt + s.Epsilon;
        parameters[i] = parameter + s.NegativeStepSize * firstMoment / denominator;
        m[i] = firstMoment;
        v[i] = secondMoment;
    }
}

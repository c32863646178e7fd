using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// One AdamW update of every element, in place on parameters, m and v (flat, all of one length):
    /// decayMask[i] is 1 where weight decay applies and 0 elsewhere; the formula is <see cref="AdamWScalars"/>'s, with
    /// the gradients multiplied by control[<see cref="StepControl.ClipFactor"/>]. When control[<see cref="StepControl.Apply"/>]
    /// is 0 nothing changes. <paramref name="control"/> is a step-control tensor on the parameters' device, so a GPU
    /// decides without the host. The three kernels (<see cref="AdamWKernels"/>, <see cref="ReferenceKernels.AdamWUpdate"/>,
    /// <see cref="GpuAdamW"/>) do the same float operations in the same order.
    /// </summary>
    public static void AdamWUpdate(Tensor parameters, Tensor gradients, Tensor firstMoment, Tensor secondMoment, Tensor decayMask,
        AdamWScalars scalars, Tensor control)
    {
        Device.Common("AdamW", parameters, gradients, firstMoment, secondMoment, decayMask, control);
        foreach (var tensor in (ReadOnlySpan<Tensor>)[gradients, firstMoment, secondMoment, decayMask])
        {
            if (tensor.Size != parameters.Size)
            {
                throw new ArgumentException($"AdamW: {tensor.Size} elements where the parameters have {parameters.Size}.");
            }
        }
        if (control.Size != StepControl.Length)
        {
            throw new ArgumentException($"AdamW: the step control has {control.Size} elements, not {StepControl.Length}.");
        }
        if (parameters.Device.IsReference)
        {
            ReferenceKernels.AdamWUpdate(parameters, gradients, firstMoment, secondMoment, decayMask, scalars, control);
            return;
        }
        if (parameters.Device.Gpu is { } gpu)
        {
            GpuAdamW.Step(gpu, parameters.DeviceView, gradients.DeviceView, firstMoment.DeviceView, secondMoment.DeviceView, decayMask.DeviceView,
                scalars, control.DeviceView);
        }
        else if (control.Span[StepControl.Apply] != 0f)
        {
            AdamWKernels.Update(parameters.Memory, gradients.Memory, firstMoment.Memory, secondMoment.Memory, decayMask.Memory, scalars,
                control.Span[StepControl.ClipFactor]);
        }
    }

    /// <summary>
    /// Decides a step's clipping where its gradients are: from control[<see cref="StepControl.LossSum"/>] (already there)
    /// and n = ‖g‖₂ over every tensor of <paramref name="gradients"/> together, writes control[GradientNorm] = n,
    /// control[ClipFactor] = <see cref="StepControl.ClipFactorFor"/>(n, <paramref name="maxNorm"/>) and control[Apply] = 1
    /// when the loss and n are finite (PyTorch's <c>clip_grad_norm_</c>; n is not finite exactly when some gradient is
    /// not). On a GPU the sums of squares and the decision stay on the device: nothing waits.
    /// </summary>
    public static void GradientClipping(IReadOnlyList<Tensor> gradients, double maxNorm, Tensor control)
    {
        Device.Common("GradientClipping", [.. gradients, control]);
        if (control.Size != StepControl.Length)
        {
            throw new ArgumentException($"GradientClipping: the step control has {control.Size} elements, not {StepControl.Length}.");
        }
        if (control.Device.IsReference)
        {
            ReferenceKernels.GradientClipping(gradients, maxNorm, control);
            return;
        }
        if (control.Device.Gpu is { } gpu)
        {
            using var scope = new TensorScope();
            var sumsOfSquares = Tensor.Uninitialized(control.Device, Math.Max(1, gradients.Count)); // [buffers], one Σg² each
            for (int b = 0; b < gradients.Count; b++)
            {
                var partials = Tensor.Uninitialized(control.Device, GpuReductions.PartialSumCount(gpu, gradients[b].Size));
                GpuReductions.SumOfSquaresOnDevice(gpu, gradients[b].DeviceView, partials.DeviceView, sumsOfSquares.Slice(b, 1).DeviceView);
            }
            GpuClipping.Decide(gpu, sumsOfSquares.Slice(0, gradients.Count).DeviceView, control.DeviceView, maxNorm);
            return;
        }
        // Host devices: the squares summed in double, buffer after buffer.
        StepControl.Decide(control.Span, Math.Sqrt(gradients.Sum(SumOfSquares)), maxNorm);
    }

    /// <summary>
    /// Σ x² over the whole tensor, in double, as a host number (on a GPU the device sums, and one number comes back):
    /// the square of the gradient norm that clipping needs.
    /// </summary>
    public static double SumOfSquares(Tensor x)
    {
        if (x.Device.IsReference)
        {
            return ReferenceKernels.SumOfSquares(x);
        }
        if (x.Device.Gpu is not { } gpu)
        {
            return ReductionKernels.SumOfSquares(x.Memory);
        }
        // The two stages' scratch comes from the device's pool and goes back at once.
        using var scope = new TensorScope();
        var partials = Tensor.Uninitialized(x.Device, GpuReductions.PartialSumCount(gpu, x.Size));
        var total = Tensor.Uninitialized(x.Device, 1);
        return GpuReductions.SumOfSquares(gpu, x.DeviceView, partials.DeviceView, total.DeviceView);
    }
}

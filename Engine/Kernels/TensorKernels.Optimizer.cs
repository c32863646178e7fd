using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// One AdamW update of every element, in place on parameters, m and v (flat, all of one length):
    /// decayMask[i] is 1 where weight decay applies and 0 elsewhere; the formula is <see cref="AdamWScalars"/>'s.
    /// The three kernels (<see cref="AdamWKernels"/>, <see cref="ReferenceKernels.AdamWUpdate"/>, <see cref="GpuAdamW"/>)
    /// do the same float operations in the same order.
    /// </summary>
    public static void AdamWUpdate(Tensor parameters, Tensor gradients, Tensor firstMoment, Tensor secondMoment, Tensor decayMask,
        AdamWScalars scalars)
    {
        Device.Common("AdamW", parameters, gradients, firstMoment, secondMoment, decayMask);
        foreach (var tensor in (ReadOnlySpan<Tensor>)[gradients, firstMoment, secondMoment, decayMask])
        {
            if (tensor.Size != parameters.Size)
            {
                throw new ArgumentException($"AdamW: {tensor.Size} elements where the parameters have {parameters.Size}.");
            }
        }
        if (parameters.Device.IsReference)
        {
            ReferenceKernels.AdamWUpdate(parameters, gradients, firstMoment, secondMoment, decayMask, scalars);
            return;
        }
        if (parameters.Device.Gpu is { } gpu)
        {
            GpuAdamW.Step(gpu, parameters.DeviceView, gradients.DeviceView, firstMoment.DeviceView, secondMoment.DeviceView, decayMask.DeviceView, scalars);
        }
        else
        {
            AdamWKernels.Update(parameters.Memory, gradients.Memory, firstMoment.Memory, secondMoment.Memory, decayMask.Memory, scalars);
        }
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

using System.Numerics.Tensors;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>y = GELU(x) (exact erf form).</summary>
    public static void GeluForward(Tensor x, Tensor y)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.GeluForward(x, y);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuActivations.GeluForward(gpu, x.DeviceView, y.DeviceView);
        }
        else
        {
            ActivationKernels.GeluForward(x.Memory, y.Memory);
        }
    }

    /// <summary>dx += dy·GELU'(x).</summary>
    public static void GeluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.GeluBackward(x, dy, dx);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuActivations.GeluBackward(gpu, x.DeviceView, dy.DeviceView, dx.DeviceView);
        }
        else
        {
            ActivationKernels.GeluBackward(x.Memory, dy.Memory, dx.Memory);
        }
    }

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(Tensor x, Tensor y)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.TanhForward(x, y);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuActivations.TanhForward(gpu, x.DeviceView, y.DeviceView);
        }
        else
        {
            ActivationKernels.TanhForward(x.Memory, y.Memory);
        }
    }

    /// <summary>dx += dy·(1 − y²), from the forward output y.</summary>
    public static void TanhBackward(Tensor y, Tensor dy, Tensor dx)
    {
        if (y.Device.IsReference)
        {
            ReferenceKernels.TanhBackward(y, dy, dx);
            return;
        }
        if (y.Device.Gpu is { } gpu)
        {
            GpuActivations.TanhBackward(gpu, y.DeviceView, dy.DeviceView, dx.DeviceView);
        }
        else
        {
            ActivationKernels.TanhBackward(y.Memory, dy.Memory, dx.Memory);
        }
    }

    /// <summary>
    /// pre [rows, width] holds x·Wᵀ on entry and pre + bias on return; y = GELU(pre + bias) (one pass on every device).
    /// </summary>
    public static void BiasGeluForward(Tensor pre, Tensor bias, Tensor y)
    {
        if (pre.Device.IsReference)
        {
            ReferenceKernels.BiasGeluForward(pre, bias, y);
            return;
        }
        if (pre.Device.Gpu is { } gpu)
        {
            GpuActivations.BiasGeluForward(gpu, pre.DeviceView, bias.DeviceView, y.DeviceView);
        }
        else
        {
            BiasGeluKernels.Forward(pre.Memory, bias.Memory, y.Memory);
        }
    }

    /// <summary>
    /// preGrad = dy ⊙ GELU'(pre) (written, not added) and biasGrad += Σ_rows preGrad, where pre and y are what
    /// <see cref="BiasGeluForward"/> left (pre + bias, and y = GELU(pre + bias)).
    /// GELU'(x) = Φ(x) + x·φ(x). The CPU takes Φ(x) = y/x from the forward's output, which costs a division instead of an
    /// erfc; the GPU, where reading y would cost more than computing erfc, and the reference compute Φ(x) itself.
    /// </summary>
    public static void BiasGeluBackward(Tensor pre, Tensor y, Tensor dy, Tensor preGrad, Tensor biasGrad)
    {
        if (pre.Device.IsReference)
        {
            ReferenceKernels.BiasGeluBackward(pre, y, dy, preGrad, biasGrad);
            return;
        }
        if (pre.Device.Gpu is { } gpu)
        {
            GpuActivations.BiasGeluBackward(gpu, pre.DeviceView, dy.DeviceView, preGrad.DeviceView, biasGrad.DeviceView);
        }
        else
        {
            BiasGeluKernels.Backward(pre.Memory, y.Memory, dy.Memory, preGrad.Memory, biasGrad.Memory);
        }
    }

    /// <summary>Writes the dropout mask (0 or 1/(1 − p), a pure function of seed and element index) and y = x ⊙ mask.</summary>
    public static void DropoutForward(Tensor x, float probability, ulong seed, Tensor mask, Tensor y)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.DropoutForward(x, probability, seed, mask, y);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuDropout.Forward(gpu, x.DeviceView, probability, seed, mask.DeviceView, y.DeviceView);
        }
        else
        {
            DropoutKernels.Forward(x.Memory, probability, seed, mask.Memory, y.Memory);
        }
    }

    /// <summary>dx += dy ⊙ mask.</summary>
    public static void DropoutBackward(Tensor dy, Tensor mask, Tensor dx)
    {
        if (dy.Device.IsReference)
        {
            ReferenceKernels.DropoutBackward(dy, mask, dx);
            return;
        }
        if (dy.Device.Gpu is { } gpu)
        {
            GpuDropout.Backward(gpu, dy.DeviceView, mask.DeviceView, dx.DeviceView);
        }
        else
        {
            var inputGrad = dx.Span;
            TensorPrimitives.MultiplyAdd(dy.Span, mask.Span, inputGrad, inputGrad);
        }
    }

    /// <summary>y = a ⊙ b (same size; written).</summary>
    public static void MultiplySameSize(Tensor a, Tensor b, Tensor y)
    {
        if (a.Device.IsReference)
        {
            ReferenceKernels.MultiplySameSize(a, b, y);
            return;
        }
        if (a.Device.Gpu is { } gpu)
        {
            GpuElementwise.Multiply(gpu, a.DeviceView, b.DeviceView, y.DeviceView);
        }
        else
        {
            TensorPrimitives.Multiply(a.Span, b.Span, y.Span);
        }
    }
}

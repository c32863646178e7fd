using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// A dense layer's bias followed by exact GELU, y = GELU(x·Wᵀ + b), fused into one pass over the rows of the
/// [rows, width] activations; the backward pass yields the bias gradient in the same pass as d(pre-activation).
/// The GEMM x·Wᵀ runs separately (<see cref="LinearKernels.Forward"/> without bias).
/// </summary>
internal static class BiasGeluKernels
{
    /// <summary>
    /// pre [rows, width] holds x·Wᵀ on entry and pre + bias on return (the pre-activation, kept for backward);
    /// y [rows, width] = GELU(pre + bias).
    /// </summary>
    public static void Forward(Memory<float> pre, ReadOnlyMemory<float> bias, Memory<float> y)
    {
        int width = bias.Length;
        CpuParallel.ForRows(pre.Length / width, 24L * width, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var row = pre.Span.Slice(r * width, width);
                TensorPrimitives.Add(row, bias.Span, row);
                ActivationKernels.Gelu(row, y.Span.Slice(r * width, width));
            }
        });
    }

    /// <summary>
    /// preGrad [rows, width] = dy ⊙ GELU'(pre) (written, not added) and biasGrad [width] += Σ_rows preGrad, summed
    /// over fixed row chunks in a fixed order (<see cref="ReductionKernels.AccumulateOverRowChunks"/>). y [rows, width]
    /// is the forward's output GELU(pre), from which Φ(pre) = y/pre (<see cref="ActivationKernels.GeluGradientFromOutput"/>).
    /// </summary>
    public static void Backward(ReadOnlyMemory<float> pre, ReadOnlyMemory<float> y, ReadOnlyMemory<float> dy, Memory<float> preGrad, Memory<float> biasGrad)
    {
        int width = biasGrad.Length;
        ReductionKernels.AccumulateOverRowChunks(pre.Length / width, 24L * width, biasGrad, (startRow, endRow, partial) =>
        {
            for (int r = startRow; r < endRow; r++)
            {
                var rowGrad = preGrad.Span.Slice(r * width, width);
                ActivationKernels.GeluGradientFromOutput(pre.Span.Slice(r * width, width), y.Span.Slice(r * width, width),
                    dy.Span.Slice(r * width, width), rowGrad);
                TensorPrimitives.Add(partial, rowGrad, partial);
            }
        });
    }
}

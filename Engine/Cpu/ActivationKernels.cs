using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Elementwise activations (exact GELU, tanh), forward and backward, over all cores.</summary>
public static class ActivationKernels
{
    /// <summary>y = x·Φ(x).</summary>
    public static void GeluForward(ReadOnlyMemory<float> x, Memory<float> y)
    {
        CpuParallel.ForRows(x.Length, 20, (start, end) =>
        {
            var input = x.Span;
            var output = y.Span;
            int i = start;
            for (; Vector256.IsHardwareAccelerated && i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var value = Vector256.Create(input.Slice(i, Vector256<float>.Count));
                (value * GaussianFunctions.Cdf(value)).CopyTo(output.Slice(i));
            }
            for (; i < end; i++)
            {
                output[i] = input[i] * GaussianFunctions.Cdf(input[i]);
            }
        });
    }

    /// <summary>dx += dy·(Φ(x) + x·φ(x)).</summary>
    public static void GeluBackward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float> dx)
    {
        CpuParallel.ForRows(x.Length, 30, (start, end) =>
        {
            var input = x.Span;
            var outputGrad = dy.Span;
            var inputGrad = dx.Span;
            int i = start;
            for (; Vector256.IsHardwareAccelerated && i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var value = Vector256.Create(input.Slice(i, Vector256<float>.Count));
                var derivative = GaussianFunctions.Cdf(value) + value * GaussianFunctions.Pdf(value);
                var gradient = Vector256.Create(inputGrad.Slice(i, Vector256<float>.Count));
                (gradient + Vector256.Create(outputGrad.Slice(i, Vector256<float>.Count)) * derivative).CopyTo(inputGrad.Slice(i));
            }
            for (; i < end; i++)
            {
                inputGrad[i] += outputGrad[i] * (GaussianFunctions.Cdf(input[i]) + input[i] * GaussianFunctions.Pdf(input[i]));
            }
        });
    }

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(ReadOnlyMemory<float> x, Memory<float> y) =>
        TensorPrimitives.Tanh(x.Span, y.Span);

    /// <summary>dx += dy·(1 − y²), from the forward output y.</summary>
    public static void TanhBackward(ReadOnlyMemory<float> y, ReadOnlyMemory<float> dy, Memory<float> dx)
    {
        var output = y.Span;
        var outputGrad = dy.Span;
        var inputGrad = dx.Span;
        for (int i = 0; i < output.Length; i++)
        {
            inputGrad[i] += outputGrad[i] * (1f - output[i] * output[i]);
        }
    }
}

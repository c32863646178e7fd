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
            for (int i = start; i < end; i++)
            {
                double value = input[i];
                output[i] = (float)(value * GaussianFunctions.Cdf(value));
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
            for (int i = start; i < end; i++)
            {
                double value = input[i];
                double derivative = GaussianFunctions.Cdf(value) + value * GaussianFunctions.Pdf(value);
                inputGrad[i] += (float)(outputGrad[i] * derivative);
            }
        });
    }

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(ReadOnlyMemory<float> x, Memory<float> y) =>
        System.Numerics.Tensors.TensorPrimitives.Tanh(x.Span, y.Span);

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

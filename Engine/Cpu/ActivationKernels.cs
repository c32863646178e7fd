using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Elementwise activations (exact GELU, tanh), forward and backward, over all cores.</summary>
public static class ActivationKernels
{
    /// <summary>y = x·Φ(x).</summary>
    public static void GeluForward(ReadOnlyMemory<float> x, Memory<float> y)
    {
        ForChunks(x.Length, 20, (start, length) =>
        {
            Span<float> cdf = stackalloc float[length];
            Span<float> scratch = stackalloc float[length];
            var input = x.Span.Slice(start, length);
            GaussianFunctions.Cdf(input, cdf, scratch);
            TensorPrimitives.Multiply(input, cdf, y.Span.Slice(start, length));
        });
    }

    /// <summary>dx += dy·(Φ(x) + x·φ(x)).</summary>
    public static void GeluBackward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float> dx)
    {
        ForChunks(x.Length, 30, (start, length) =>
        {
            Span<float> cdf = stackalloc float[length];
            Span<float> pdf = stackalloc float[length];
            var input = x.Span.Slice(start, length);
            GaussianFunctions.Cdf(input, cdf, pdf);
            GaussianFunctions.Pdf(input, pdf);
            // derivative = Φ(x) + x·φ(x), kept in cdf
            TensorPrimitives.MultiplyAdd(input, pdf, cdf, cdf);
            var inputGrad = dx.Span.Slice(start, length);
            TensorPrimitives.MultiplyAdd(dy.Span.Slice(start, length), cdf, inputGrad, inputGrad);
        });
    }

    /// <summary>Runs body(start, length) over chunks of at most <see cref="ChunkSize"/> elements, on all cores.</summary>
    private static void ForChunks(int count, long workPerElement, Action<int, int> body)
    {
        int chunks = (count + ChunkSize - 1) / ChunkSize;
        CpuParallel.ForRows(chunks, workPerElement * ChunkSize, (first, last) =>
        {
            for (int chunk = first; chunk < last; chunk++)
            {
                int start = chunk * ChunkSize;
                body(start, Math.Min(ChunkSize, count - start));
            }
        });
    }

    /// <summary>Elements per chunk: small enough for stack scratch buffers, large enough for SIMD loops.</summary>
    private const int ChunkSize = 1024;

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

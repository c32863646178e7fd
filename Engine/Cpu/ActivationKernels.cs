using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Elementwise activations (exact GELU, tanh), forward and backward, over all cores.</summary>
internal static class ActivationKernels
{
    /// <summary>y = x·Φ(x).</summary>
    public static void GeluForward(ReadOnlyMemory<float> x, Memory<float> y) =>
        CpuParallel.ForRows(x.Length, 20, (start, end) =>
            Gelu(x.Span[start..end], y.Span[start..end]));

    /// <summary>dx += dy·(Φ(x) + x·φ(x)).</summary>
    public static void GeluBackward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float> dx) =>
        CpuParallel.ForRows(x.Length, 30, (start, end) =>
            GeluGradient(x.Span[start..end], dy.Span[start..end], dx.Span[start..end], accumulate: true));

    /// <summary>y[i] = x[i]·Φ(x[i]) on one span, on the calling thread.</summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        for (; Vector256.IsHardwareAccelerated && i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var value = Vector256.Create(x.Slice(i, Vector256<float>.Count));
            (value * GaussianFunctions.Cdf(value)).CopyTo(y.Slice(i));
        }
        for (; i < x.Length; i++)
        {
            y[i] = x[i] * GaussianFunctions.Cdf(x[i]);
        }
    }

    /// <summary>
    /// dx[i] = dy[i]·GELU'(x[i]) with GELU'(x) = Φ(x) + x·φ(x), on one span, on the calling thread; added to dx
    /// instead when <paramref name="accumulate"/>.
    /// </summary>
    public static void GeluGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        int i = 0;
        for (; Vector256.IsHardwareAccelerated && i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var value = Vector256.Create(x.Slice(i, Vector256<float>.Count));
            var derivative = GaussianFunctions.Cdf(value) + value * GaussianFunctions.Pdf(value);
            var gradient = Vector256.Create(dy.Slice(i, Vector256<float>.Count)) * derivative;
            if (accumulate)
            {
                gradient = Vector256.Create(dx.Slice(i, Vector256<float>.Count)) + gradient;
            }
            gradient.CopyTo(dx.Slice(i));
        }
        for (; i < x.Length; i++)
        {
            float gradient = dy[i] * (GaussianFunctions.Cdf(x[i]) + x[i] * GaussianFunctions.Pdf(x[i]));
            dx[i] = accumulate ? dx[i] + gradient : gradient;
        }
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

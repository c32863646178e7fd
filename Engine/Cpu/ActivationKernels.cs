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
            AddGeluGradient(x.Span[start..end], dy.Span[start..end], dx.Span[start..end]));

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

    /// <summary>dx[i] += dy[i]·GELU'(x[i]) with GELU'(x) = Φ(x) + x·φ(x), on one span, on the calling thread.</summary>
    private static void AddGeluGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        for (; Vector256.IsHardwareAccelerated && i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var value = Vector256.Create(x.Slice(i, Vector256<float>.Count));
            var derivative = GaussianFunctions.Cdf(value) + value * GaussianFunctions.Pdf(value);
            var gradient = Vector256.Create(dx.Slice(i, Vector256<float>.Count)) + Vector256.Create(dy.Slice(i, Vector256<float>.Count)) * derivative;
            gradient.CopyTo(dx.Slice(i));
        }
        for (; i < x.Length; i++)
        {
            dx[i] += dy[i] * (GaussianFunctions.Cdf(x[i]) + x[i] * GaussianFunctions.Pdf(x[i]));
        }
    }

    /// <summary>
    /// dx[i] = dy[i]·GELU'(x[i]) on one span, on the calling thread, with Φ(x) = y/x taken from the forward's output
    /// y = x·Φ(x): GELU'(x) = y/x + x·φ(x), one exp and a division instead of the erfc's exp, polynomial and division
    /// as well. Where |x| ≤ <see cref="TinyInput"/>, Φ(x) = ½ (within 10⁻³⁰, and x·Φ(x) would lose its digits there).
    /// </summary>
    public static void GeluGradientFromOutput(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        for (; Vector256.IsHardwareAccelerated && i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var value = Vector256.Create(x.Slice(i, Vector256<float>.Count));
            var cdf = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Abs(value), Vector256.Create(TinyInput)),
                Vector256.Create(y.Slice(i, Vector256<float>.Count)) / value, Vector256.Create(0.5f));
            var derivative = cdf + value * GaussianFunctions.Pdf(value);
            (Vector256.Create(dy.Slice(i, Vector256<float>.Count)) * derivative).CopyTo(dx.Slice(i));
        }
        for (; i < x.Length; i++)
        {
            float cdf = MathF.Abs(x[i]) > TinyInput ? y[i] / x[i] : 0.5f;
            dx[i] = dy[i] * (cdf + x[i] * GaussianFunctions.Pdf(x[i]));
        }
    }

    /// <summary>Below this |x|, <see cref="GeluGradientFromOutput"/> takes Φ(x) = ½ rather than y/x.</summary>
    private const float TinyInput = 1e-30f;

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

using ILGPU;
using ILGPU.Algorithms;

namespace MiniBioBert.Engine.Gpu;

/// <summary>Elementwise activations, as <see cref="Cpu.ActivationKernels"/>: exact (erf) GELU and tanh, one thread per element.</summary>
internal static class GpuActivations
{
    /// <summary>y = x·Φ(x).</summary>
    public static void GeluForward(GpuDevice device, ArrayView<float> x, ArrayView<float> y) =>
        Forward("GeluForward", device.Kernels.GeluForward, x, y);

    /// <summary>dx += dy·(Φ(x) + x·φ(x)).</summary>
    public static void GeluBackward(GpuDevice device, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx) =>
        Backward("GeluBackward", device.Kernels.GeluBackward, x, dy, dx);

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(GpuDevice device, ArrayView<float> x, ArrayView<float> y) =>
        Forward("TanhForward", device.Kernels.TanhForward, x, y);

    /// <summary>dx += dy·(1 − y²), from the forward output y.</summary>
    public static void TanhBackward(GpuDevice device, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx) =>
        Backward("TanhBackward", device.Kernels.TanhBackward, y, dy, dx);

    internal static void GeluForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> y) =>
        y[i] = x[i] * GpuGaussian.Cdf(x[i]);

    internal static void GeluBackwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx) =>
        dx[i] += dy[i] * (GpuGaussian.Cdf(x[i]) + x[i] * GpuGaussian.Pdf(x[i]));

    internal static void TanhForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> y) =>
        y[i] = GpuMath.Tanh(x[i]);

    internal static void TanhBackwardKernel(Index1D i, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx) =>
        dx[i] += dy[i] * (1f - y[i] * y[i]);

    private static void Forward(string kernel, Action<Index1D, ArrayView<float>, ArrayView<float>> launch,
        ArrayView<float> x, ArrayView<float> y)
    {
        GpuChecks.Length(kernel, "y", y, x.Length);
        if (x.Length > 0)
        {
            launch((int)x.Length, x, y);
        }
    }

    /// <summary>Launches a backward kernel that reads a saved forward tensor and dy and accumulates into dx.</summary>
    private static void Backward(string kernel, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> launch,
        ArrayView<float> saved, ArrayView<float> dy, ArrayView<float> dx)
    {
        GpuChecks.Length(kernel, "dy", dy, saved.Length);
        GpuChecks.Length(kernel, "dx", dx, saved.Length);
        if (saved.Length > 0)
        {
            launch((int)saved.Length, saved, dy, dx);
        }
    }
}

/// <summary>
/// Φ and φ in single precision for the GELU kernels, with the polynomial of the erfc fit taken from
/// <see cref="Cpu.GaussianFunctions.ErfcPolynomial(float)"/> (fractional error below 1.2e-7; float evaluation adds a few ulp).
/// The exponential stays XMath's here, as in every other kernel.
/// </summary>
internal static class GpuGaussian
{
    private const float InverseSqrt2 = (float)Cpu.GaussianFunctions.InverseSqrt2;
    private const float InverseSqrt2Pi = (float)Cpu.GaussianFunctions.InverseSqrt2Pi;

    /// <summary>Φ(x) = ½·erfc(−x/√2).</summary>
    public static float Cdf(float x) => 0.5f * Erfc(-x * InverseSqrt2);

    /// <summary>φ(x) = exp(−x²/2)/√(2π).</summary>
    public static float Pdf(float x) => InverseSqrt2Pi * XMath.Exp(-0.5f * x * x);

    /// <summary>erfc(x) = t·exp(−z² + P(t)) with z = |x|, t = 1/(1 + z/2), reflected for x &lt; 0.</summary>
    public static float Erfc(float x)
    {
        float z = XMath.Abs(x);
        float t = 1f / (1f + 0.5f * z);
        float result = t * XMath.Exp(-z * z + Cpu.GaussianFunctions.ErfcPolynomial(t));
        return x >= 0f ? result : 2f - result;
    }
}

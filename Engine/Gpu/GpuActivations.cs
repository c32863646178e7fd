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

    /// <summary>pre [rows, |bias|] += bias (broadcast over rows), y = GELU(pre), in one pass.</summary>
    public static void BiasGeluForward(GpuDevice device, ArrayView<float> pre, ArrayView<float> bias, ArrayView<float> y)
    {
        GpuChecks.Rows("BiasGeluForward", "pre", pre, (int)bias.Length);
        GpuChecks.Length("BiasGeluForward", "y", y, pre.Length);
        if (pre.Length > 0)
        {
            device.Kernels.BiasGeluForward((int)pre.Length, pre, bias, y);
        }
    }

    /// <summary>
    /// preGrad = dy ⊙ GELU'(pre) (written) and biasGrad += Σ_rows preGrad, in one launch with the column layout of
    /// <see cref="GpuReductions"/>: the thread that computes an element also adds it to its column's sum.
    /// </summary>
    public static void BiasGeluBackward(GpuDevice device, ArrayView<float> pre, ArrayView<float> dy, ArrayView<float> preGrad, ArrayView<float> biasGrad)
    {
        int columns = (int)biasGrad.Length;
        int rows = GpuChecks.Rows("BiasGeluBackward", "pre", pre, columns);
        GpuChecks.Length("BiasGeluBackward", "dy", dy, pre.Length);
        GpuChecks.Length("BiasGeluBackward", "preGrad", preGrad, pre.Length);
        if (rows > 0)
        {
            var config = GpuReductions.ColumnConfig(device, columns, rows);
            device.Kernels.BiasGeluBackward(config, pre, dy, preGrad, biasGrad, rows, columns, GpuReductions.ColumnScratch(device, config, columns),
                device.GroupCounters);
        }
    }

    internal static void GeluForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> y) =>
        y[i] = x[i] * GpuGaussian.Cdf(x[i]);

    internal static void GeluBackwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx) =>
        dx[i] += dy[i] * GpuGaussian.GeluDerivative(x[i]);

    internal static void BiasGeluForwardKernel(Index1D i, ArrayView<float> pre, ArrayView<float> bias, ArrayView<float> y)
    {
        float value = pre[i] + bias[i % bias.IntLength];
        pre[i] = value;
        y[i] = value * GpuGaussian.Cdf(value);
    }

    internal static void BiasGeluBackwardKernel(ArrayView<float> pre, ArrayView<float> dy, ArrayView<float> preGrad, ArrayView<float> biasGrad,
        int rows, int columns, ArrayView<float> scratch, ArrayView<int> counters)
    {
        var lanes = SharedMemory.Allocate<float>(GpuDevice.MaxGroupSize);
        int c = Grid.IdxX * Group.DimX + Group.IdxX;
        var chunk = GpuReductions.ChunkRows(rows);
        float partial = 0f;
        if (c < columns)
        {
            for (int r = chunk.X + Group.IdxY; r < chunk.Y; r += Group.DimY)
            {
                long i = (long)r * columns + c;
                float grad = dy[i] * GpuGaussian.GeluDerivative(pre[i]);
                preGrad[i] = grad;
                partial += grad;
            }
        }
        var totals = GpuReductions.CombineChunks(lanes, scratch, counters, columns, new ColumnTotals(GpuReductions.SumLanes(lanes, partial), 0f, 0f));
        if (totals.Ready != 0 && Group.IdxY == 0 && c < columns)
        {
            biasGrad[c] += totals.First;
        }
    }

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

    /// <summary>GELU'(x) = Φ(x) + x·φ(x).</summary>
    public static float GeluDerivative(float x) => Cdf(x) + x * Pdf(x);

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

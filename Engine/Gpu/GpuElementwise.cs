using ILGPU;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Elementwise arithmetic, one thread per element. b may be shorter than a: its shape is a suffix of a's and it is
/// repeated over a's leading dimensions (b[i mod |b|]), as in <see cref="Ops.Add"/>. The output may alias a, which
/// turns these into in-place updates (dx += dy is <c>AddScaled(dx, dy, 1, dx)</c>).
/// </summary>
internal static class GpuElementwise
{
    /// <summary>y[i] = a[i] + scale·b[i mod |b|]: addition (scale 1), subtraction (−1), gradient accumulation.</summary>
    public static void AddScaled(GpuDevice device, ArrayView<float> a, ArrayView<float> b, float scale, ArrayView<float> y)
    {
        CheckBroadcast("AddScaled", a, b, y);
        if (a.Length > 0)
        {
            device.Kernels.AddScaled((int)a.Length, a, b, scale, y);
        }
    }

    /// <summary>y[i] = a[i]·b[i mod |b|], or y[i] += a[i]·b[i mod |b|] when <paramref name="accumulate"/> is set.</summary>
    public static void Multiply(GpuDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, bool accumulate = false)
    {
        CheckBroadcast("Multiply", a, b, y);
        if (a.Length > 0)
        {
            device.Kernels.Multiply((int)a.Length, a, b, y, accumulate ? 1 : 0);
        }
    }

    /// <summary>y[i] = scale·x[i].</summary>
    public static void Scale(GpuDevice device, ArrayView<float> x, float scale, ArrayView<float> y)
    {
        GpuChecks.Length("Scale", "y", y, x.Length);
        if (x.Length > 0)
        {
            device.Kernels.Scale((int)x.Length, x, scale, y);
        }
    }

    internal static void AddScaledKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, float scale, ArrayView<float> y) =>
        y[i] = a[i] + scale * b[i % b.IntLength];

    internal static void MultiplyKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int accumulate)
    {
        float product = a[i] * b[i % b.IntLength];
        y[i] = accumulate != 0 ? y[i] + product : product;
    }

    internal static void ScaleKernel(Index1D i, ArrayView<float> x, float scale, ArrayView<float> y) => y[i] = scale * x[i];

    private static void CheckBroadcast(string kernel, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y)
    {
        if (a.Length > int.MaxValue || (a.Length > 0 && (b.Length == 0 || a.Length % b.Length != 0)))
        {
            throw new ArgumentException($"{kernel}: b with {b.Length} elements cannot be repeated over a with {a.Length}.");
        }
        GpuChecks.Length(kernel, "y", y, a.Length);
    }
}

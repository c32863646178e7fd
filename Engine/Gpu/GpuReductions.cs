using ILGPU;
using ILGPU.Runtime;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Reductions: column sums over the leading dimensions (bias and broadcast gradients), as
/// <see cref="Cpu.ReductionKernels"/>, and the sum of squares behind the global gradient norm.
/// <para>
/// Column sums use groups of (warp size) columns × (group size / warp size) lanes: lane l of column c sums rows
/// l, l + lanes, ... in order, then lane 0 adds the lanes' partial sums in lane order. No atomics, so the result is
/// the same on every run (though not bit-identical to the CPU's row-by-row order).
/// </para>
/// </summary>
internal static class GpuReductions
{
    /// <summary>destination[c] += scale·Σ_r source[r, c] for a [rows, columns] source.</summary>
    public static void AddColumnSums(GpuDevice device, ArrayView<float> source, ArrayView<float> destination, int columns, float scale = 1f) =>
        LaunchColumnSums(device, "AddColumnSums", source, source, useProduct: false, scale, destination, columns);

    /// <summary>destination[c] += Σ_r a[r, c]·b[r, c] for [rows, columns] inputs.</summary>
    public static void AddColumnSumsOfProducts(GpuDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> destination, int columns)
    {
        GpuChecks.Length("AddColumnSumsOfProducts", "b", b, a.Length);
        LaunchColumnSums(device, "AddColumnSumsOfProducts", a, b, useProduct: true, 1f, destination, columns);
    }

    /// <summary>
    /// Σ x², for the global gradient L2 norm (its square root). Each group reduces a grid-strided share into one
    /// partial sum; one more group adds the partials; the result is copied back to the host (a synchronisation).
    /// </summary>
    public static double SumOfSquares(GpuDevice device, ArrayView<float> x)
    {
        if (x.Length == 0)
        {
            return 0;
        }
        using var partials = device.Allocate<float>(PartialSumCount(device, x.Length));
        using var total = device.Allocate<float>(1);
        return SumOfSquares(device, x, partials.View, total.View);
    }

    /// <summary>Σ x² through the caller's <paramref name="partials"/> (<see cref="PartialSumCount"/> elements) and one-element <paramref name="total"/>.</summary>
    public static double SumOfSquares(GpuDevice device, ArrayView<float> x, ArrayView<float> partials, ArrayView<float> total)
    {
        GpuChecks.Length("SumOfSquares", "partials", partials, PartialSumCount(device, x.Length));
        GpuChecks.Length("SumOfSquares", "total", total, 1);
        if (x.Length == 0)
        {
            return 0;
        }
        LaunchSum(device, x, square: true, partials, total);
        return device.Download<float>(total)[0];
    }

    /// <summary>How many partial sums <see cref="Sum"/> needs for <paramref name="length"/> elements (at least one).</summary>
    public static int PartialSumCount(GpuDevice device, long length) =>
        (int)Math.Max(1, Math.Min(device.Accelerator.NumMultiprocessors * 4L, (length + device.RowGroupSize - 1) / device.RowGroupSize));

    /// <summary>
    /// total[0] = Σ x, left on the device (no synchronisation): the same two stages as <see cref="SumOfSquares"/>
    /// through <paramref name="partials"/> (<see cref="PartialSumCount"/> elements).
    /// </summary>
    public static void Sum(GpuDevice device, ArrayView<float> x, ArrayView<float> partials, ArrayView<float> total)
    {
        GpuChecks.Length("Sum", "partials", partials, PartialSumCount(device, x.Length));
        GpuChecks.Length("Sum", "total", total, 1);
        LaunchSum(device, x, square: false, partials, total);
    }

    private static void LaunchSum(GpuDevice device, ArrayView<float> x, bool square, ArrayView<float> partials, ArrayView<float> total)
    {
        device.Kernels.SumOfSquaresPartials(new KernelConfig((int)partials.Length, device.RowGroupSize), x, partials, square ? 1 : 0);
        device.Kernels.SumOfSquaresPartials(new KernelConfig(1, device.RowGroupSize), partials, total, 0);
    }

    /// <summary>Launch shape of the column kernels: one group per block of warp-size columns.</summary>
    internal static KernelConfig ColumnConfig(GpuDevice device, int columns)
    {
        int width = device.Accelerator.WarpSize;
        return new KernelConfig(new Index2D((columns + width - 1) / width, 1), new Index2D(width, device.RowGroupSize / width));
    }

    /// <summary>
    /// Adds the <paramref name="partial"/> sums of a column's lanes (Group.IdxY) in lane order, through
    /// <paramref name="lanes"/> (shared, one slot per thread). The total is valid on lane 0; all threads must call it.
    /// </summary>
    internal static float SumLanes(ArrayView<float> lanes, float partial)
    {
        lanes[Group.IdxY * Group.DimX + Group.IdxX] = partial;
        Group.Barrier();
        float total = 0f;
        if (Group.IdxY == 0)
        {
            for (int lane = 0; lane < Group.DimY; lane++)
            {
                total += lanes[lane * Group.DimX + Group.IdxX];
            }
        }
        Group.Barrier();
        return total;
    }

    internal static void ColumnSumsKernel(ArrayView<float> a, ArrayView<float> b, int useProduct, float scale,
        ArrayView<float> destination, int rows, int columns)
    {
        var lanes = SharedMemory.Allocate<float>(GpuDevice.MaxGroupSize);
        int c = Grid.IdxX * Group.DimX + Group.IdxX;
        float partial = 0f;
        if (c < columns)
        {
            for (int r = Group.IdxY; r < rows; r += Group.DimY)
            {
                long i = (long)r * columns + c;
                partial += useProduct != 0 ? a[i] * b[i] : a[i];
            }
        }
        float total = SumLanes(lanes, partial);
        if (Group.IdxY == 0 && c < columns)
        {
            destination[c] += scale * total;
        }
    }

    /// <summary>output[group] = Σ over a grid-strided share of x of x² (<paramref name="square"/> = 1) or x (0).</summary>
    internal static void SumOfSquaresKernel(ArrayView<float> x, ArrayView<float> output, int square)
    {
        float partial = 0f;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long i = (long)Grid.IdxX * Group.DimX + Group.IdxX; i < x.Length; i += stride)
        {
            partial += square != 0 ? x[i] * x[i] : x[i];
        }
        float total = GpuRows.Sum(partial);
        if (Group.IsFirstThread)
        {
            output[Grid.IdxX] = total;
        }
    }

    private static void LaunchColumnSums(GpuDevice device, string kernel, ArrayView<float> a, ArrayView<float> b, bool useProduct, float scale,
        ArrayView<float> destination, int columns)
    {
        int rows = GpuChecks.Rows(kernel, "source", a, columns);
        GpuChecks.Length(kernel, "destination", destination, columns);
        device.Kernels.ColumnSums(ColumnConfig(device, columns), a, b, useProduct ? 1 : 0, scale, destination, rows, columns);
    }
}

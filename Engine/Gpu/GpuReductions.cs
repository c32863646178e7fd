using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Reductions: column sums over the leading dimensions (bias and broadcast gradients), as
/// <see cref="Cpu.ReductionKernels"/>, and the sum of squares behind the global gradient norm.
/// <para>
/// Column sums use groups of (warp size) columns × (group size / warp size) lanes, and split the rows into chunks
/// until the launch has the device's target number of groups (a [256]-column bias alone would give 8 groups of a
/// GPU's 132 multiprocessors): the group of (column block, chunk) has lane l of column c sum the chunk's rows l,
/// l + lanes, ... in order, then lane 0 adds the lanes' partial sums in lane order and leaves the chunk's sum in the
/// device's scratch; the column block's last group to finish (<see cref="GpuLastGroup"/>) adds the chunks' sums,
/// again by lanes in a fixed order. One launch, no float atomics, so the result is the same on every run (though
/// not bit-identical to the CPU's row-by-row order).
/// </para>
/// </summary>
internal static class GpuReductions
{
    /// <summary>destination[c] += scale·Σ_r source[r, c] for a [rows, columns] source.</summary>
    public static void AddColumnSums(GpuDevice device, ArrayView<float> source, ArrayView<float> destination, int columns, float scale = 1f) =>
        LaunchColumnSums(device, "AddColumnSums", source, source, useProduct: false, scale, destination, columns);

    /// <summary>Each lane of a column-sum group sums at least this many rows of its chunk.</summary>
    private const int MinRowsPerLane = 4;

    /// <summary>The column sums' partial results per column and chunk: up to three sums share a launch.</summary>
    internal const int MaxColumnSums = 3;

    /// <summary>destination[c] += Σ_r a[r, c]·b[r, c] for [rows, columns] inputs.</summary>
    public static void AddColumnSumsOfProducts(GpuDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> destination, int columns)
    {
        GpuChecks.Length("AddColumnSumsOfProducts", "b", b, a.Length);
        LaunchColumnSums(device, "AddColumnSumsOfProducts", a, b, useProduct: true, 1f, destination, columns);
    }

    /// <summary>
    /// Σ x², for the global gradient L2 norm (its square root). Each group reduces a grid-strided share into one
    /// partial sum, and the last group to finish adds the partials (one launch); the result is copied back to the
    /// host (a synchronisation).
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
        if (x.Length == 0)
        {
            return 0;
        }
        SumOfSquaresOnDevice(device, x, partials, total);
        return device.Download<float>(total)[0];
    }

    /// <summary>total[0] = Σ x², left on the device (no synchronisation), through <paramref name="partials"/> (<see cref="PartialSumCount"/> elements).</summary>
    public static void SumOfSquaresOnDevice(GpuDevice device, ArrayView<float> x, ArrayView<float> partials, ArrayView<float> total)
    {
        GpuChecks.Length("SumOfSquares", "partials", partials, PartialSumCount(device, x.Length));
        GpuChecks.Length("SumOfSquares", "total", total, 1);
        LaunchSum(device, x, square: true, partials, total);
    }

    /// <summary>How many partial sums (groups) <see cref="Sum"/> needs for <paramref name="length"/> elements: the device's target, at least one.</summary>
    public static int PartialSumCount(GpuDevice device, long length) =>
        (int)Math.Max(1, Math.Min(device.TargetGroups, (length + device.RowGroupSize - 1) / device.RowGroupSize));

    /// <summary>
    /// total[0] = Σ x, left on the device (no synchronisation): the same launch as <see cref="SumOfSquares"/>
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
        device.Kernels.SumOfSquares(new KernelConfig((int)partials.Length, device.RowGroupSize), x, partials, total, device.GroupCounters,
            square ? 1 : 0);
    }

    /// <summary>
    /// Launch shape of the column kernels: (blocks of warp-size columns) × (row chunks), each group (warp size) columns
    /// × (group size / warp size) lanes. Chunks until the device's target group count, each lane summing at least
    /// <see cref="MinRowsPerLane"/> rows; one chunk when there are more column blocks than group counters.
    /// </summary>
    internal static KernelConfig ColumnConfig(GpuDevice device, int columns, int rows)
    {
        int width = device.Accelerator.WarpSize;
        int lanes = device.RowGroupSize / width;
        int blocks = (columns + width - 1) / width;
        int chunks = blocks > GpuDevice.GroupCounterCount ? 1
            : Math.Clamp(Math.Min((device.TargetGroups + blocks - 1) / blocks, rows / (lanes * MinRowsPerLane)), 1, GpuDevice.MaxGroupSize);
        return new KernelConfig(new Index2D(blocks, chunks), new Index2D(width, lanes));
    }

    /// <summary>The scratch the column sums of <paramref name="config"/> need: one partial per sum, chunk and column.</summary>
    internal static ArrayView<float> ColumnScratch(GpuDevice device, KernelConfig config, int columns) =>
        device.Scratch((long)MaxColumnSums * config.GridDim.Y * columns);

    /// <summary>The rows [X, Y) of this group's chunk (<see cref="ColumnConfig"/>: the grid's y runs over chunks).</summary>
    internal static Index2D ChunkRows(int rows)
    {
        int rowsPerChunk = (rows + Grid.DimY - 1) / Grid.DimY;
        int first = Grid.IdxY * rowsPerChunk;
        return new Index2D(first, XMath.Min(rows, first + rowsPerChunk));
    }

    /// <summary>
    /// From the group's per-column sums of its chunk (<paramref name="chunkSums"/>, valid on lane 0, from
    /// <see cref="SumLanes"/>) to the sums over every chunk: with one chunk they are the result; otherwise each group
    /// leaves its sums in <paramref name="scratch"/> ([MaxColumnSums, chunks, columns]) and the column block's last
    /// group adds them, lane l taking chunks l, l + lanes, ..., then the lanes in order. The result's Ready is 1 in
    /// the group that has the totals (every thread; the values valid on lane 0), 0 elsewhere. All threads call it.
    /// </summary>
    internal static ColumnTotals CombineChunks(ArrayView<float> lanes, ArrayView<float> scratch, ArrayView<int> counters, int columns,
        ColumnTotals chunkSums)
    {
        int chunks = Grid.DimY;
        if (chunks == 1)
        {
            return chunkSums;
        }
        int c = Grid.IdxX * Group.DimX + Group.IdxX;
        long stride = (long)chunks * columns;
        if (Group.IdxY == 0 && c < columns)
        {
            long i = (long)Grid.IdxY * columns + c;
            scratch[i] = chunkSums.First;
            scratch[stride + i] = chunkSums.Second;
            scratch[2 * stride + i] = chunkSums.Third;
        }
        if (!GpuLastGroup.IsLast(ref counters[Grid.IdxX], chunks))
        {
            return default;
        }
        var bits = scratch.Cast<int>();
        float first = 0f, second = 0f, third = 0f;
        if (c < columns)
        {
            for (int chunk = Group.IdxY; chunk < chunks; chunk += Group.DimY)
            {
                long i = (long)chunk * columns + c;
                first += GpuLastGroup.Read(bits, i);
                second += GpuLastGroup.Read(bits, stride + i);
                third += GpuLastGroup.Read(bits, 2 * stride + i);
            }
        }
        return new ColumnTotals(SumLanes(lanes, first), SumLanes(lanes, second), SumLanes(lanes, third));
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
        ArrayView<float> destination, int rows, int columns, ArrayView<float> scratch, ArrayView<int> counters)
    {
        var lanes = SharedMemory.Allocate<float>(GpuDevice.MaxGroupSize);
        int c = Grid.IdxX * Group.DimX + Group.IdxX;
        var chunk = ChunkRows(rows);
        float partial = 0f;
        if (c < columns)
        {
            for (int r = chunk.X + Group.IdxY; r < chunk.Y; r += Group.DimY)
            {
                long i = (long)r * columns + c;
                partial += useProduct != 0 ? a[i] * b[i] : a[i];
            }
        }
        var totals = CombineChunks(lanes, scratch, counters, columns, new ColumnTotals(SumLanes(lanes, partial), 0f, 0f));
        if (totals.Ready != 0 && Group.IdxY == 0 && c < columns)
        {
            destination[c] += scale * totals.First;
        }
    }

    /// <summary>
    /// partials[group] = Σ over a grid-strided share of x of x² (<paramref name="square"/> = 1) or x (0); the last
    /// group to finish then adds the partials (thread t takes t, t + group size, …, then the group's tree) into total[0].
    /// </summary>
    internal static void SumOfSquaresKernel(ArrayView<float> x, ArrayView<float> partials, ArrayView<float> total, ArrayView<int> counters, int square)
    {
        float partial = 0f;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long i = (long)Grid.IdxX * Group.DimX + Group.IdxX; i < x.Length; i += stride)
        {
            partial += square != 0 ? x[i] * x[i] : x[i];
        }
        float groupSum = GpuRows.Sum(partial);
        if (Group.IsFirstThread)
        {
            partials[Grid.IdxX] = groupSum;
        }
        if (GpuLastGroup.IsLast(ref counters[0], Grid.DimX))
        {
            var bits = partials.Cast<int>();
            float share = 0f;
            for (int g = Group.IdxX; g < Grid.DimX; g += Group.DimX)
            {
                share += GpuLastGroup.Read(bits, g);
            }
            float sum = GpuRows.Sum(share);
            if (Group.IsFirstThread)
            {
                total[0] = sum;
            }
        }
    }

    private static void LaunchColumnSums(GpuDevice device, string kernel, ArrayView<float> a, ArrayView<float> b, bool useProduct, float scale,
        ArrayView<float> destination, int columns)
    {
        int rows = GpuChecks.Rows(kernel, "source", a, columns);
        GpuChecks.Length(kernel, "destination", destination, columns);
        var config = ColumnConfig(device, columns, rows);
        device.Kernels.ColumnSums(config, a, b, useProduct ? 1 : 0, scale, destination, rows, columns, ColumnScratch(device, config, columns),
            device.GroupCounters);
    }
}

/// <summary>
/// Up to three column sums of one thread, and whether they are final: Ready is 1 when made with the constructor, 0 in
/// <c>default</c> (what <see cref="GpuReductions.CombineChunks"/> returns to the groups that do not finish).
/// </summary>
internal readonly struct ColumnTotals(float first, float second, float third)
{
    public float First { get; } = first;
    public float Second { get; } = second;
    public float Third { get; } = third;
    public int Ready { get; } = 1;
}

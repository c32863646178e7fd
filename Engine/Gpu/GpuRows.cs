using ILGPU;
using ILGPU.Algorithms;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Building blocks of the kernels that give one group to each row: the group's threads stride over the row's
/// columns, then combine their partial results with a group-wide reduction through shared memory, in a fixed tree
/// order, so every thread gets the result. (ILGPU.Algorithms' AllReduce is not used: on ILGPU's CPU accelerator it
/// combines floats with compare-exchange loops that compare floats, and those never end once a value is NaN, so a
/// non-finite activation would hang the step instead of showing up as a NaN loss.)
/// </summary>
internal static class GpuRows
{
    /// <summary>Σ over the group of each thread's <paramref name="partial"/>; all threads must call it.</summary>
    public static float Sum(float partial) => Reduce(partial, maximum: false);

    /// <summary>Max over the group of each thread's <paramref name="partial"/>; all threads must call it.</summary>
    public static float Max(float partial) => Reduce(partial, maximum: true);

    /// <summary>
    /// Tree reduction of a 1-D group's values in shared memory: while more than one value is active, thread i
    /// combines value i with value i + ⌈active/2⌉. A barrier follows each level, and one more follows the read of the
    /// result, so the next reduction may reuse the shared array.
    /// </summary>
    private static float Reduce(float partial, bool maximum)
    {
        var values = SharedMemory.Allocate<float>(GpuDevice.MaxGroupSize);
        int i = Group.IdxX;
        values[i] = partial;
        Group.Barrier();
        for (int active = Group.DimX; active > 1;)
        {
            int half = (active + 1) / 2;
            if (i + half < active)
            {
                values[i] = maximum ? GpuMath.Max(values[i], values[i + half]) : values[i] + values[i + half];
            }
            Group.Barrier();
            active = half;
        }
        float total = values[0];
        Group.Barrier();
        return total;
    }

    /// <summary>
    /// For v[c] = row[c] (+ maskRow[c] when <paramref name="masked"/>): the row maximum and Σ exp(v[c] − max),
    /// the two numbers a stable softmax or logsumexp needs.
    /// </summary>
    public static (float Max, float SumOfExp) ExpStatistics(ArrayView<float> row, ArrayView<float> maskRow, bool masked, int columns)
    {
        float max = float.NegativeInfinity;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            max = GpuMath.Max(max, Value(row, maskRow, masked, c));
        }
        max = Max(max);
        float sum = 0f;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            sum += XMath.Exp(Value(row, maskRow, masked, c) - max);
        }
        return (max, Sum(sum));
    }

    /// <summary>row[c] plus the additive mask when there is one.</summary>
    public static float Value(ArrayView<float> row, ArrayView<float> maskRow, bool masked, int c) =>
        masked ? row[c] + maskRow[c] : row[c];

    /// <summary>Launch shape: one group of <see cref="GpuDevice.RowGroupSize"/> threads per row.</summary>
    public static KernelConfig Config(GpuDevice device, int rows) => new(rows, device.RowGroupSize);
}

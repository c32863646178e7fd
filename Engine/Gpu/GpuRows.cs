using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Building blocks of the kernels that give one group to each row: the group's threads stride over the row's
/// columns, then combine their partial results with a group-wide reduction (ILGPU.Algorithms' AllReduce, which
/// reduces within each warp by shuffles and across warps through shared memory), so every thread gets the result.
/// </summary>
internal static class GpuRows
{
    /// <summary>Σ over the group of each thread's <paramref name="partial"/>; all threads must call it.</summary>
    public static float Sum(float partial) => GroupExtensions.AllReduce<float, AddFloat>(partial);

    /// <summary>Max over the group of each thread's <paramref name="partial"/>; all threads must call it.</summary>
    public static float Max(float partial) => GroupExtensions.AllReduce<float, MaxFloat>(partial);

    /// <summary>
    /// For v[c] = row[c] (+ maskRow[c] when <paramref name="masked"/>): the row maximum and Σ exp(v[c] − max),
    /// the two numbers a stable softmax or logsumexp needs.
    /// </summary>
    public static (float Max, float SumOfExp) ExpStatistics(ArrayView<float> row, ArrayView<float> maskRow, bool masked, int columns)
    {
        float max = float.NegativeInfinity;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            max = XMath.Max(max, Value(row, maskRow, masked, c));
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

using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// The column of each row's largest value, the first one on ties (as <c>TensorPrimitives.IndexOfMax</c>), one group
/// per row, written as a float (exact: a row has far fewer than 2²⁴ columns). Accuracy needs only these indices, so
/// only one number per row, not the logits, goes back to the host. A row holding NaN gets an unspecified index in
/// [0, columns].
/// </summary>
internal static class GpuArgMax
{
    /// <summary>indices[r] = arg max over c of x[r, c], for x: [rows, columns] and indices: [rows].</summary>
    public static void Rows(GpuDevice device, ArrayView<float> x, ArrayView<float> indices, int columns)
    {
        int rows = GpuChecks.Rows("ArgMax", "x", x, columns);
        GpuChecks.Length("ArgMax", "indices", indices, rows);
        if (rows > 0)
        {
            device.Kernels.ArgMaxRows(GpuRows.Config(device, rows), x, indices, columns);
        }
    }

    /// <summary>Group r: the row maximum (group reduction), then the smallest column holding it (another one).</summary>
    internal static void Kernel(ArrayView<float> x, ArrayView<float> indices, int columns)
    {
        var row = x.SubView((long)Grid.IdxX * columns, columns);
        float max = float.NegativeInfinity;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            max = GpuMath.Max(max, row[c]);
        }
        max = GpuRows.Max(max);
        int first = columns;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            // The first column holding the maximum; with a NaN in the row the maximum is NaN and the first NaN wins,
            // as on the CPU.
            if (row[c] == max || (XMath.IsNaN(max) && XMath.IsNaN(row[c])))
            {
                first = c;
                break;
            }
        }
        first = GroupExtensions.AllReduce<int, MinInt32>(first);
        if (Group.IsFirstThread)
        {
            indices[Grid.IdxX] = first;
        }
    }
}

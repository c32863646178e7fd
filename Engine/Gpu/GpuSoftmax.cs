using ILGPU;
using ILGPU.Algorithms;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Softmax and log-softmax over the last dimension, as <see cref="Cpu.SoftmaxKernels"/>: one group per row,
/// the row maximum subtracted before exp, group reductions for the maximum and the sums.
/// </summary>
internal static class GpuSoftmax
{
    /// <summary>
    /// y[r, :] = softmax(x[r, :] + mask[r / rowsPerMaskRow, :]). Pass an empty <paramref name="mask"/> for none;
    /// with attention scores [B, H, Tq, Tk] and a key mask [B, Tk] (0 = keep, −10000 = drop), rowsPerMaskRow = H·Tq.
    /// </summary>
    public static void Forward(GpuDevice device, ArrayView<float> x, ArrayView<float> mask, int rowsPerMaskRow, ArrayView<float> y, int columns)
    {
        int rows = GpuChecks.Rows("Softmax", "x", x, columns);
        GpuChecks.Length("Softmax", "y", y, x.Length);
        if (mask.Length > 0 && (rowsPerMaskRow <= 0 || mask.Length != (rows + rowsPerMaskRow - 1) / rowsPerMaskRow * (long)columns))
        {
            throw new ArgumentException($"Softmax: a mask of {mask.Length} elements does not give one row of {columns} to every {rowsPerMaskRow} of the {rows} rows.");
        }
        if (rows > 0)
        {
            device.Kernels.SoftmaxForward(GpuRows.Config(device, rows), x, mask, Math.Max(rowsPerMaskRow, 1), y, columns);
        }
    }

    /// <summary>dx += y ⊙ (dy − ⟨dy, y⟩) per row, from the forward output y.</summary>
    public static void Backward(GpuDevice device, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int columns)
    {
        int rows = CheckSameShape("SoftmaxBackward", y, dy, dx, columns);
        if (rows > 0)
        {
            device.Kernels.SoftmaxBackward(GpuRows.Config(device, rows), y, dy, default, dx, 1, columns);
        }
    }

    /// <summary>
    /// The backward of softmax then dropout, in one launch: dz becomes g = dz ⊙ mask (an empty mask: no dropout, dz
    /// unchanged) and dx = y ⊙ (g − ⟨g, y⟩) is written, not added.
    /// </summary>
    public static void DropoutBackward(GpuDevice device, ArrayView<float> y, ArrayView<float> dz, ArrayView<float> mask, ArrayView<float> dx, int columns)
    {
        int rows = CheckSameShape("SoftmaxDropoutBackward", y, dz, dx, columns);
        if (mask.Length > 0)
        {
            GpuChecks.Length("SoftmaxDropoutBackward", "mask", mask, y.Length);
        }
        if (rows > 0)
        {
            device.Kernels.SoftmaxBackward(GpuRows.Config(device, rows), y, dz, mask, dx, 0, columns);
        }
    }

    /// <summary>y[r, :] = x[r, :] − logsumexp(x[r, :]).</summary>
    public static void LogSoftmaxForward(GpuDevice device, ArrayView<float> x, ArrayView<float> y, int columns)
    {
        int rows = GpuChecks.Rows("LogSoftmax", "x", x, columns);
        GpuChecks.Length("LogSoftmax", "y", y, x.Length);
        if (rows > 0)
        {
            device.Kernels.LogSoftmaxForward(GpuRows.Config(device, rows), x, y, columns);
        }
    }

    /// <summary>dx += dy − exp(y)·Σ dy per row, from the forward output y.</summary>
    public static void LogSoftmaxBackward(GpuDevice device, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int columns)
    {
        int rows = CheckSameShape("LogSoftmaxBackward", y, dy, dx, columns);
        if (rows > 0)
        {
            device.Kernels.LogSoftmaxBackward(GpuRows.Config(device, rows), y, dy, dx, columns);
        }
    }

    internal static void ForwardKernel(ArrayView<float> x, ArrayView<float> mask, int rowsPerMaskRow, ArrayView<float> y, int columns)
    {
        int r = Grid.IdxX;
        bool masked = mask.Length > 0;
        var row = x.SubView((long)r * columns, columns);
        var maskRow = masked ? mask.SubView((long)(r / rowsPerMaskRow) * columns, columns) : mask;
        var (max, sum) = GpuRows.ExpStatistics(row, maskRow, masked, columns);
        float inverseSum = 1f / sum;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            y[(long)r * columns + c] = XMath.Exp(GpuRows.Value(row, maskRow, masked, c) - max) * inverseSum;
        }
    }

    /// <summary>
    /// One group per row: with a non-empty <paramref name="mask"/>, dy is first replaced by dy ⊙ mask (each thread
    /// rewrites and later reads back only its own elements); then dx = (dx if <paramref name="accumulate"/>, else 0)
    /// + y ⊙ dy − y·⟨dy, y⟩.
    /// </summary>
    internal static void BackwardKernel(ArrayView<float> y, ArrayView<float> dy, ArrayView<float> mask, ArrayView<float> dx, int accumulate, int columns)
    {
        long start = (long)Grid.IdxX * columns;
        bool masked = mask.Length > 0;
        float partial = 0f;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            long i = start + c;
            if (masked)
            {
                dy[i] *= mask[i];
            }
            partial += dy[i] * y[i];
        }
        float dot = GpuRows.Sum(partial);
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            long i = start + c;
            dx[i] = (accumulate != 0 ? dx[i] : 0f) + y[i] * dy[i] + y[i] * -dot;
        }
    }

    internal static void LogForwardKernel(ArrayView<float> x, ArrayView<float> y, int columns)
    {
        long start = (long)Grid.IdxX * columns;
        var row = x.SubView(start, columns);
        var (max, sum) = GpuRows.ExpStatistics(row, row, false, columns);
        float logSumExp = max + XMath.Log(sum);
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            y[start + c] = row[c] - logSumExp;
        }
    }

    internal static void LogBackwardKernel(ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int columns)
    {
        long start = (long)Grid.IdxX * columns;
        float partial = 0f;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            partial += dy[start + c];
        }
        float gradSum = GpuRows.Sum(partial);
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            long i = start + c;
            dx[i] += dy[i] - XMath.Exp(y[i]) * gradSum;
        }
    }

    private static int CheckSameShape(string kernel, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int columns)
    {
        int rows = GpuChecks.Rows(kernel, "y", y, columns);
        GpuChecks.Length(kernel, "dy", dy, y.Length);
        GpuChecks.Length(kernel, "dx", dx, y.Length);
        return rows;
    }
}

using ILGPU;
using ILGPU.Algorithms;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Layer normalisation over the last dimension, as <see cref="Cpu.LayerNormKernels"/>:
/// y = (x − mean)·rstd·weight + bias with rstd = 1/√(var + eps), the variance taken from the centred values.
/// One group per row for y and dx; the parameter gradients are column sums (<see cref="GpuReductions"/>' layout).
/// </summary>
internal static class GpuLayerNorm
{
    /// <summary>x, y: [rows, columns]; weight, bias: [columns]; saves mean and rstd: [rows].</summary>
    public static void Forward(GpuDevice device, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, float eps,
        ArrayView<float> y, ArrayView<float> mean, ArrayView<float> rstd)
    {
        int columns = (int)weight.Length;
        int rows = CheckShapes("LayerNorm", x, weight, "bias", bias, mean, rstd);
        GpuChecks.Length("LayerNorm", "y", y, x.Length);
        if (rows > 0)
        {
            device.Kernels.LayerNormForward(GpuRows.Config(device, rows), x, weight, bias, eps, y, mean, rstd, columns);
        }
    }

    /// <summary>
    /// With x̂ = (x − mean)·rstd and g = dy ⊙ weight: dx += rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)),
    /// dweight += Σ_rows dy ⊙ x̂, dbias += Σ_rows dy (summed in a fixed order: deterministic).
    /// </summary>
    public static void Backward(GpuDevice device, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> dy, ArrayView<float> dx, ArrayView<float> dweight, ArrayView<float> dbias)
    {
        int columns = (int)weight.Length;
        int rows = CheckShapes("LayerNormBackward", x, weight, "dweight", dweight, mean, rstd);
        GpuChecks.Length("LayerNormBackward", "dbias", dbias, columns);
        GpuChecks.Length("LayerNormBackward", "dy", dy, x.Length);
        GpuChecks.Length("LayerNormBackward", "dx", dx, x.Length);
        LaunchBackward(device, x, weight, mean, rstd, dy, dx, default, default, dweight, dbias, default, rows);
    }

    /// <summary>
    /// The two launches of a LayerNorm backward over checked arguments: the rows (dx += g; when
    /// <paramref name="maskedGrad"/> is not empty, also maskedGrad = g ⊙ mask), then the column sums (dweight, dbias
    /// and, when <paramref name="maskedGradSum"/> is not empty, maskedGradSum += Σ_rows maskedGrad).
    /// </summary>
    internal static void LaunchBackward(GpuDevice device, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> dy, ArrayView<float> dx, ArrayView<float> mask, ArrayView<float> maskedGrad, ArrayView<float> dweight,
        ArrayView<float> dbias, ArrayView<float> maskedGradSum, int rows)
    {
        if (rows == 0)
        {
            return;
        }
        int columns = (int)weight.Length;
        device.Kernels.LayerNormBackwardInput(GpuRows.Config(device, rows), x, weight, mean, rstd, dy, dx, mask, maskedGrad, columns);
        var config = GpuReductions.ColumnConfig(device, columns, rows);
        device.Kernels.LayerNormBackwardParameters(config, x, mean, rstd, dy, dweight, dbias, maskedGrad, maskedGradSum, rows, columns,
            GpuReductions.ColumnScratch(device, config, columns), device.GroupCounters);
    }

    internal static void ForwardKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, float eps,
        ArrayView<float> y, ArrayView<float> mean, ArrayView<float> rstd, int columns) =>
        NormalizeRow(x, weight, bias, eps, y, mean, rstd, Grid.IdxX, columns);

    /// <summary>The group's row <paramref name="r"/>: y = (x − mean)·rstd·weight + bias, mean and rstd saved (all threads call it).</summary>
    internal static void NormalizeRow(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, float eps,
        ArrayView<float> y, ArrayView<float> mean, ArrayView<float> rstd, int r, int columns)
    {
        long start = (long)r * columns;
        float partial = 0f;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            partial += x[start + c];
        }
        float rowMean = GpuRows.Sum(partial) / columns;
        partial = 0f;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            float centred = x[start + c] - rowMean;
            partial += centred * centred;
        }
        float rowRstd = 1f / XMath.Sqrt(GpuRows.Sum(partial) / columns + eps);
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            y[start + c] = (x[start + c] - rowMean) * rowRstd * weight[c] + bias[c];
        }
        if (Group.IsFirstThread)
        {
            mean[r] = rowMean;
            rstd[r] = rowRstd;
        }
    }

    /// <summary>
    /// The group's row of g = d(LayerNorm)/dx·dy: dx += g; when <paramref name="maskedGrad"/> is not empty it is also
    /// written g ⊙ mask (g where <paramref name="mask"/> is empty): the residual block's dense gradient through dropout.
    /// </summary>
    internal static void BackwardInputKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> dy, ArrayView<float> dx, ArrayView<float> mask, ArrayView<float> maskedGrad, int columns)
    {
        int r = Grid.IdxX;
        long start = (long)r * columns;
        float rowMean = mean[r];
        float rowRstd = rstd[r];
        float gradPartial = 0f;
        float gradTimesNormalizedPartial = 0f;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            float scaledGrad = dy[start + c] * weight[c];
            gradPartial += scaledGrad;
            gradTimesNormalizedPartial += scaledGrad * ((x[start + c] - rowMean) * rowRstd);
        }
        float meanScaledGrad = GpuRows.Sum(gradPartial) / columns;
        float meanScaledGradTimesNormalized = GpuRows.Sum(gradTimesNormalizedPartial) / columns;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            long i = start + c;
            float normalized = (x[i] - rowMean) * rowRstd;
            float scaledGrad = dy[i] * weight[c];
            float grad = rowRstd * (scaledGrad - meanScaledGrad - normalized * meanScaledGradTimesNormalized);
            dx[i] += grad;
            if (maskedGrad.Length > 0)
            {
                maskedGrad[i] = mask.Length > 0 ? grad * mask[i] : grad;
            }
        }
    }

    /// <summary>
    /// One thread per (column, lane) of a chunk of rows as in <see cref="GpuReductions"/>: dweight += Σ_rows dy ⊙ x̂, dbias += Σ_rows dy
    /// and, when <paramref name="extraSum"/> is not empty, extraSum += Σ_rows <paramref name="extra"/> (the residual
    /// block's dense bias gradient): the column sums share the launch.
    /// </summary>
    internal static void BackwardParametersKernel(ArrayView<float> x, ArrayView<float> mean, ArrayView<float> rstd, ArrayView<float> dy,
        ArrayView<float> dweight, ArrayView<float> dbias, ArrayView<float> extra, ArrayView<float> extraSum, int rows, int columns,
        ArrayView<float> scratch, ArrayView<int> counters)
    {
        var lanes = SharedMemory.Allocate<float>(GpuDevice.MaxGroupSize);
        int c = Grid.IdxX * Group.DimX + Group.IdxX;
        var chunk = GpuReductions.ChunkRows(rows);
        bool hasExtra = extraSum.Length > 0;
        float weightPartial = 0f;
        float biasPartial = 0f;
        float extraPartial = 0f;
        if (c < columns)
        {
            for (int r = chunk.X + Group.IdxY; r < chunk.Y; r += Group.DimY)
            {
                long i = (long)r * columns + c;
                weightPartial += dy[i] * ((x[i] - mean[r]) * rstd[r]);
                biasPartial += dy[i];
                extraPartial += hasExtra ? extra[i] : 0f;
            }
        }
        var chunkSums = new ColumnTotals(GpuReductions.SumLanes(lanes, weightPartial), GpuReductions.SumLanes(lanes, biasPartial),
            GpuReductions.SumLanes(lanes, extraPartial));
        var totals = GpuReductions.CombineChunks(lanes, scratch, counters, columns, chunkSums);
        if (totals.Ready != 0 && Group.IdxY == 0 && c < columns)
        {
            dweight[c] += totals.First;
            dbias[c] += totals.Second;
            if (hasExtra)
            {
                extraSum[c] += totals.Third;
            }
        }
    }

    internal static int CheckShapes(string kernel, ArrayView<float> x, ArrayView<float> weight, string otherName, ArrayView<float> other,
        ArrayView<float> mean, ArrayView<float> rstd)
    {
        int columns = (int)weight.Length;
        int rows = GpuChecks.Rows(kernel, "x", x, columns);
        GpuChecks.Length(kernel, otherName, other, columns);
        GpuChecks.Length(kernel, "mean", mean, rows);
        GpuChecks.Length(kernel, "rstd", rstd, rows);
        return rows;
    }
}

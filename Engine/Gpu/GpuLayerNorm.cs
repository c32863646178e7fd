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
        if (rows == 0)
        {
            return;
        }
        device.Kernels.LayerNormBackwardInput(GpuRows.Config(device, rows), x, weight, mean, rstd, dy, dx, columns);
        device.Kernels.LayerNormBackwardParameters(GpuReductions.ColumnConfig(device, columns), x, mean, rstd, dy, dweight, dbias, rows, columns);
    }

    internal static void ForwardKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, float eps,
        ArrayView<float> y, ArrayView<float> mean, ArrayView<float> rstd, int columns)
    {
        int r = Grid.IdxX;
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

    internal static void BackwardInputKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> dy, ArrayView<float> dx, int columns)
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
            float normalized = (x[start + c] - rowMean) * rowRstd;
            float scaledGrad = dy[start + c] * weight[c];
            dx[start + c] += rowRstd * (scaledGrad - meanScaledGrad - normalized * meanScaledGradTimesNormalized);
        }
    }

    /// <summary>One thread per (column, lane) as in <see cref="GpuReductions"/>; two column sums share the launch.</summary>
    internal static void BackwardParametersKernel(ArrayView<float> x, ArrayView<float> mean, ArrayView<float> rstd, ArrayView<float> dy,
        ArrayView<float> dweight, ArrayView<float> dbias, int rows, int columns)
    {
        var lanes = SharedMemory.Allocate<float>(GpuDevice.MaxGroupSize);
        int c = Grid.IdxX * Group.DimX + Group.IdxX;
        float weightPartial = 0f;
        float biasPartial = 0f;
        if (c < columns)
        {
            for (int r = Group.IdxY; r < rows; r += Group.DimY)
            {
                long i = (long)r * columns + c;
                weightPartial += dy[i] * ((x[i] - mean[r]) * rstd[r]);
                biasPartial += dy[i];
            }
        }
        float weightGrad = GpuReductions.SumLanes(lanes, weightPartial);
        float biasGrad = GpuReductions.SumLanes(lanes, biasPartial);
        if (Group.IdxY == 0 && c < columns)
        {
            dweight[c] += weightGrad;
            dbias[c] += biasGrad;
        }
    }

    private static int CheckShapes(string kernel, ArrayView<float> x, ArrayView<float> weight, string otherName, ArrayView<float> other,
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

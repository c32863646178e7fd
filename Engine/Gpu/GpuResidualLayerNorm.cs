using ILGPU;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// The tail of BERT's output blocks, y = LayerNorm(Dropout(dense + bias) + residual), as
/// <see cref="Cpu.ResidualLayerNormKernels"/>: forward in one launch (one group per row), backward in two (the row
/// pass for the input gradients, then the column sums of the three parameter gradients). The float operations are
/// the CPU's, in its order; the dropout mask is its bits (<see cref="DropoutDraw"/>).
/// </summary>
internal static class GpuResidualLayerNorm
{
    /// <summary>
    /// sum = Dropout(dense + bias) + residual (kept for backward; an empty <paramref name="mask"/> means no dropout,
    /// otherwise it is filled), y = LayerNorm(sum), mean and rstd per row. All activations [rows, columns];
    /// <paramref name="sum"/> may be <paramref name="dense"/>.
    /// </summary>
    public static void Forward(GpuDevice device, ArrayView<float> dense, ArrayView<float> bias, ArrayView<float> residual, float dropoutProbability,
        ulong dropoutSeed, ArrayView<float> weight, ArrayView<float> normBias, float eps, ArrayView<float> mask, ArrayView<float> sum,
        ArrayView<float> y, ArrayView<float> mean, ArrayView<float> rstd)
    {
        int columns = (int)weight.Length;
        int rows = GpuLayerNorm.CheckShapes("ResidualLayerNorm", dense, weight, "bias", bias, mean, rstd);
        GpuChecks.Length("ResidualLayerNorm", "normBias", normBias, columns);
        foreach (var (name, view) in (ReadOnlySpan<(string, ArrayView<float>)>)[("residual", residual), ("sum", sum), ("y", y)])
        {
            GpuChecks.Length("ResidualLayerNorm", name, view, dense.Length);
        }
        if (mask.Length > 0)
        {
            GpuChecks.Length("ResidualLayerNorm", "mask", mask, dense.Length);
        }
        var draw = DropoutDraw.For(mask.Length > 0 ? dropoutProbability : 0f, dropoutSeed);
        if (rows > 0)
        {
            device.Kernels.ResidualLayerNormForward(GpuRows.Config(device, rows), dense, bias, residual, draw, mask, sum, weight, normBias, eps,
                y, mean, rstd, columns);
        }
    }

    /// <summary>
    /// From dy: g = d(sum) through LayerNorm added to <paramref name="residualGrad"/>; denseGrad = g ⊙ mask (written;
    /// g when the mask is empty); LayerNorm weight and bias gradients and the dense bias gradient Σ_rows denseGrad added.
    /// </summary>
    public static void Backward(GpuDevice device, ArrayView<float> sum, ArrayView<float> weight, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> mask, ArrayView<float> dy, ArrayView<float> residualGrad, ArrayView<float> denseGrad, ArrayView<float> weightGrad,
        ArrayView<float> normBiasGrad, ArrayView<float> denseBiasGrad)
    {
        int columns = (int)weight.Length;
        int rows = GpuLayerNorm.CheckShapes("ResidualLayerNormBackward", sum, weight, "weightGrad", weightGrad, mean, rstd);
        GpuChecks.Length("ResidualLayerNormBackward", "normBiasGrad", normBiasGrad, columns);
        GpuChecks.Length("ResidualLayerNormBackward", "denseBiasGrad", denseBiasGrad, columns);
        foreach (var (name, view) in (ReadOnlySpan<(string, ArrayView<float>)>)[("dy", dy), ("residualGrad", residualGrad), ("denseGrad", denseGrad)])
        {
            GpuChecks.Length("ResidualLayerNormBackward", name, view, sum.Length);
        }
        if (mask.Length > 0)
        {
            GpuChecks.Length("ResidualLayerNormBackward", "mask", mask, sum.Length);
        }
        GpuLayerNorm.LaunchBackward(device, sum, weight, mean, rstd, dy, residualGrad, mask, denseGrad, weightGrad, normBiasGrad, denseBiasGrad, rows);
    }

    /// <summary>One group per row: the row of sum, element by element (no barrier needed: each thread reads back only what it wrote), then its LayerNorm.</summary>
    internal static void ForwardKernel(ArrayView<float> dense, ArrayView<float> bias, ArrayView<float> residual, DropoutDraw draw,
        ArrayView<float> mask, ArrayView<float> sum, ArrayView<float> weight, ArrayView<float> normBias, float eps,
        ArrayView<float> y, ArrayView<float> mean, ArrayView<float> rstd, int columns)
    {
        int r = Grid.IdxX;
        long start = (long)r * columns;
        bool dropout = mask.Length > 0;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
        {
            long i = start + c;
            float value = dense[i] + bias[c];
            if (dropout)
            {
                float scale = draw.Scale(i);
                mask[i] = scale;
                value *= scale;
            }
            sum[i] = value + residual[i];
        }
        GpuLayerNorm.NormalizeRow(sum, weight, normBias, eps, y, mean, rstd, r, columns);
    }
}

namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>
    /// y = LayerNorm(x)·weight + bias over the last dimension: y = (x − mean)·rstd·weight + bias with
    /// rstd = 1/√(var + eps); saves each row's mean and rstd for the backward pass.
    /// </summary>
    public static void LayerNormForward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd)
    {
        // x, y: [rows, columns]; weight, bias: [columns]; mean, rstd: [rows]
        int columns = weight.Size;
        int rows = x.Size / columns;
        for (int r = 0; r < rows; r++)
        {
            (mean.Span[r], rstd.Span[r]) = NormalizeRow(x.Span.Slice(r * columns, columns), weight.Span, bias.Span, eps,
                y.Span.Slice(r * columns, columns));
        }
    }

    /// <summary>
    /// With x̂ = (x − mean)·rstd and g = dy ⊙ weight: dx += rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)),
    /// dweight += Σ_rows dy ⊙ x̂, dbias += Σ_rows dy.
    /// </summary>
    public static void LayerNormBackward(Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dweight, Tensor dbias)
    {
        // x, dy, dx: [rows, columns]; weight, dweight, dbias: [columns]; mean, rstd: [rows]
        int columns = weight.Size;
        int rows = x.Size / columns;
        var rowInputGrad = new float[columns];
        var inputGrad = dx.Span;
        for (int r = 0; r < rows; r++)
        {
            NormalizeRowBackward(x.Span.Slice(r * columns, columns), weight.Span, mean.Span[r], rstd.Span[r],
                dy.Span.Slice(r * columns, columns), rowInputGrad, dweight.Span, dbias.Span);
            for (int c = 0; c < columns; c++)
            {
                inputGrad[r * columns + c] += rowInputGrad[c];
            }
        }
    }

    /// <summary>
    /// BERT's output-block tail: sum = Dropout(dense + bias) + residual (kept for backward; mask null = no dropout,
    /// otherwise the mask of <see cref="DropoutForward"/> for (<paramref name="dropoutSeed"/>, element index)),
    /// y = LayerNorm(sum) with each row's mean and rstd. <paramref name="sum"/> may be <paramref name="dense"/> itself.
    /// </summary>
    public static void ResidualLayerNormForward(Tensor dense, Tensor bias, Tensor residual, float dropoutProbability, ulong dropoutSeed,
        Tensor weight, Tensor normBias, float eps, Tensor? mask, Tensor sum, Tensor y, Tensor mean, Tensor rstd)
    {
        // dense, residual, mask, sum, y: [rows, columns]; bias, weight, normBias: [columns]; mean, rstd: [rows]
        int columns = bias.Size;
        int rows = dense.Size / columns;
        var denseValues = dense.Span;
        var biasValues = bias.Span;
        var residualValues = residual.Span;
        var maskValues = mask is null ? default : mask.Span;
        var sumValues = sum.Span;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                int i = r * columns + c;
                float value = denseValues[i] + biasValues[c];
                if (mask is not null)
                {
                    maskValues[i] = DropoutMaskValue(dropoutProbability, dropoutSeed, i);
                    value *= maskValues[i];
                }
                sumValues[i] = value + residualValues[i];
            }
            (mean.Span[r], rstd.Span[r]) = NormalizeRow(sumValues.Slice(r * columns, columns), weight.Span, normBias.Span, eps,
                y.Span.Slice(r * columns, columns));
        }
    }

    /// <summary>
    /// From dy: d(sum) through LayerNorm added to residualGrad; denseGrad = d(sum) ⊙ mask (written; mask null = none);
    /// LayerNorm weight and bias gradients and the dense bias gradient Σ_rows denseGrad added to theirs.
    /// </summary>
    public static void ResidualLayerNormBackward(Tensor sum, Tensor weight, Tensor mean, Tensor rstd, Tensor? mask, Tensor dy,
        Tensor residualGrad, Tensor denseGrad, Tensor weightGrad, Tensor normBiasGrad, Tensor denseBiasGrad)
    {
        // sum, mask, dy, residualGrad, denseGrad: [rows, columns]; weight and the three parameter gradients: [columns]
        int columns = weight.Size;
        int rows = sum.Size / columns;
        var sumGrad = new float[columns];
        var maskValues = mask is null ? default : mask.Span;
        var residualGradValues = residualGrad.Span;
        var denseGradValues = denseGrad.Span;
        for (int r = 0; r < rows; r++)
        {
            NormalizeRowBackward(sum.Span.Slice(r * columns, columns), weight.Span, mean.Span[r], rstd.Span[r],
                dy.Span.Slice(r * columns, columns), sumGrad, weightGrad.Span, normBiasGrad.Span);
            for (int c = 0; c < columns; c++)
            {
                int i = r * columns + c;
                // sum = dropped + residual: both receive d(sum); dense + bias receives it through the dropout mask.
                residualGradValues[i] += sumGrad[c];
                denseGradValues[i] = mask is null ? sumGrad[c] : sumGrad[c] * maskValues[i];
            }
        }
        AddColumnSums(denseGrad, denseBiasGrad, columns);
    }

    /// <summary>y = (x − mean)·rstd·weight + bias for one row; returns the row's mean and rstd.</summary>
    private static (float Mean, float Rstd) NormalizeRow(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        float eps, Span<float> y)
    {
        // x, weight, bias, y: [columns]
        int columns = x.Length;
        float sum = 0;
        for (int c = 0; c < columns; c++)
        {
            sum += x[c];
        }
        float mean = sum / columns;
        // The variance from the centred values (two passes): stable when the mean is large.
        float sumOfSquares = 0;
        for (int c = 0; c < columns; c++)
        {
            float centred = x[c] - mean;
            sumOfSquares += centred * centred;
        }
        float variance = sumOfSquares / columns;
        float rstd = 1f / MathF.Sqrt(variance + eps);
        for (int c = 0; c < columns; c++)
        {
            float normalized = (x[c] - mean) * rstd;
            y[c] = normalized * weight[c] + bias[c];
        }
        return (mean, rstd);
    }

    /// <summary>
    /// The backward of one row of <see cref="NormalizeRow"/>: dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)) is written (not
    /// added) with x̂ = (x − mean)·rstd and g = dy ⊙ weight; dy ⊙ x̂ and dy are added to the parameter gradients.
    /// </summary>
    private static void NormalizeRowBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float mean, float rstd, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> weightGrad, Span<float> biasGrad)
    {
        // x, weight, dy, dx, weightGrad, biasGrad: [columns]
        int columns = x.Length;
        float sumOfScaledGrad = 0;
        float sumOfScaledGradTimesNormalized = 0;
        for (int c = 0; c < columns; c++)
        {
            float normalized = (x[c] - mean) * rstd;
            float scaledGrad = dy[c] * weight[c];
            sumOfScaledGrad += scaledGrad;
            sumOfScaledGradTimesNormalized += scaledGrad * normalized;
        }
        float meanScaledGrad = sumOfScaledGrad / columns;
        float meanScaledGradTimesNormalized = sumOfScaledGradTimesNormalized / columns;
        for (int c = 0; c < columns; c++)
        {
            float normalized = (x[c] - mean) * rstd;
            float scaledGrad = dy[c] * weight[c];
            dx[c] = rstd * (scaledGrad - meanScaledGrad - normalized * meanScaledGradTimesNormalized);
            weightGrad[c] += dy[c] * normalized;
            biasGrad[c] += dy[c];
        }
    }
}

using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The tail of BERT's output blocks, y = LayerNorm(Dropout(dense + bias) + residual), fused into one pass over the
/// rows, and its backward as one pass that also yields the LayerNorm and dense-bias gradients. dense is the
/// product input·Wᵀ (<see cref="LinearKernels.Forward"/> without bias); all activations are [rows, columns].
/// The float operations are those of the separate kernels, in the same order.
/// </summary>
internal static class ResidualLayerNormKernels
{
    /// <summary>
    /// sum = Dropout(dense + bias) + residual (kept for backward), y = LayerNorm(sum) with the row's mean and rstd.
    /// Dropout draws <see cref="DropoutKernels"/>' mask for (<paramref name="dropoutSeed"/>, element index) into
    /// <paramref name="mask"/>; an empty mask means no dropout.
    /// </summary>
    public static void Forward(ReadOnlyMemory<float> dense, ReadOnlyMemory<float> bias, ReadOnlyMemory<float> residual,
        float dropoutProbability, ulong dropoutSeed, ReadOnlyMemory<float> weight, ReadOnlyMemory<float> normBias, float eps,
        Memory<float> mask, Memory<float> sum, Memory<float> y, Memory<float> mean, Memory<float> rstd)
    {
        int columns = bias.Length;
        CpuParallel.ForRows(dense.Length / columns, 16L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var rowSum = sum.Span.Slice(r * columns, columns);
                TensorPrimitives.Add(dense.Span.Slice(r * columns, columns), bias.Span, rowSum);
                if (!mask.IsEmpty)
                {
                    DropoutKernels.Apply(rowSum, dropoutProbability, dropoutSeed, (long)r * columns, mask.Span.Slice(r * columns, columns), rowSum);
                }
                TensorPrimitives.Add(rowSum, residual.Span.Slice(r * columns, columns), rowSum);
                (mean.Span[r], rstd.Span[r]) = LayerNormKernels.NormalizeRow(rowSum, weight.Span, normBias.Span, eps,
                    y.Span.Slice(r * columns, columns));
            }
        });
    }

    /// <summary>
    /// From dy: d(sum) through LayerNorm, added to <paramref name="residualGrad"/>; denseGrad = d(sum) ⊙ mask
    /// (written, not added; the mask is skipped when empty); and, summed over fixed row chunks, the LayerNorm weight
    /// and bias gradients and the dense bias gradient Σ_rows denseGrad, added to theirs. The chunked accumulation
    /// mirrors <see cref="LayerNormKernels.Backward"/>'s (same row arithmetic, shared), with a third gradient and the
    /// mask: the setup of the three-part accumulator is written out here rather than bent into one generic caller.
    /// </summary>
    public static void Backward(ReadOnlyMemory<float> sum, ReadOnlyMemory<float> weight, ReadOnlyMemory<float> mean,
        ReadOnlyMemory<float> rstd, ReadOnlyMemory<float> mask, ReadOnlyMemory<float> dy, Memory<float> residualGrad,
        Memory<float> denseGrad, Memory<float> weightGrad, Memory<float> normBiasGrad, Memory<float> denseBiasGrad)
    {
        int columns = weight.Length;
        // [LayerNorm weight gradient | LayerNorm bias gradient | dense bias gradient]
        var parameterGrads = new float[3 * columns];
        ReductionKernels.AccumulateOverRowChunks(sum.Length / columns, 20L * columns, parameterGrads, (startRow, endRow, partial) =>
        {
            var scratch = new float[3 * columns];
            var sumGrad = scratch.AsSpan(2 * columns);
            for (int r = startRow; r < endRow; r++)
            {
                var rowDenseGrad = denseGrad.Span.Slice(r * columns, columns);
                var rowResidualGrad = residualGrad.Span.Slice(r * columns, columns);
                LayerNormKernels.BackwardRow(sum.Span.Slice(r * columns, columns), weight.Span, mean.Span[r], rstd.Span[r],
                    dy.Span.Slice(r * columns, columns), sumGrad, scratch.AsSpan(0, 2 * columns), partial[..columns], partial.Slice(columns, columns));
                TensorPrimitives.Add(rowResidualGrad, sumGrad, rowResidualGrad);
                if (mask.IsEmpty)
                {
                    sumGrad.CopyTo(rowDenseGrad);
                }
                else
                {
                    TensorPrimitives.Multiply(sumGrad, mask.Span.Slice(r * columns, columns), rowDenseGrad);
                }
                TensorPrimitives.Add(partial[(2 * columns)..], rowDenseGrad, partial[(2 * columns)..]);
            }
        });
        TensorPrimitives.Add(weightGrad.Span, parameterGrads.AsSpan(0, columns), weightGrad.Span);
        TensorPrimitives.Add(normBiasGrad.Span, parameterGrads.AsSpan(columns, columns), normBiasGrad.Span);
        TensorPrimitives.Add(denseBiasGrad.Span, parameterGrads.AsSpan(2 * columns), denseBiasGrad.Span);
    }
}

using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Layer normalisation over the last dimension: y = (x − mean)·rstd·weight + bias with rstd = 1/√(var + eps).
/// The forward pass saves mean and rstd per row; the backward pass needs exactly those.
/// The variance is computed from the centred values (two passes), which is stable for large means.
/// </summary>
public static class LayerNormKernels
{
    public static void Forward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> weight, ReadOnlyMemory<float> bias, float eps,
        Memory<float> y, Memory<float> mean, Memory<float> rstd)
    {
        int columns = weight.Length;
        int rows = x.Length / columns;
        CpuParallel.ForRows(rows, 8L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var input = x.Span.Slice(r * columns, columns);
                var output = y.Span.Slice(r * columns, columns);
                float rowMean = TensorPrimitives.Sum(input) / columns;
                TensorPrimitives.Subtract(input, rowMean, output);
                float variance = TensorPrimitives.SumOfSquares(output) / columns;
                float rowRstd = 1f / MathF.Sqrt(variance + eps);
                TensorPrimitives.Multiply(output, rowRstd, output);
                TensorPrimitives.MultiplyAdd(output, weight.Span, bias.Span, output);
                mean.Span[r] = rowMean;
                rstd.Span[r] = rowRstd;
            }
        });
    }

    /// <summary>
    /// With x̂ = (x − mean)·rstd and g = dy ⊙ weight:
    /// dx += rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)), dweight += Σ_rows dy ⊙ x̂, dbias += Σ_rows dy.
    /// dx is parallel over rows; the parameter gradients are summed over fixed row chunks
    /// (<see cref="ReductionKernels.AccumulateOverRowChunks"/>), so results do not depend on thread timing.
    /// </summary>
    public static void Backward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> weight, ReadOnlyMemory<float> mean, ReadOnlyMemory<float> rstd,
        ReadOnlyMemory<float> dy, Memory<float> dx, Memory<float> dweight, Memory<float> dbias)
    {
        int columns = weight.Length;
        int rows = x.Length / columns;
        CpuParallel.ForRows(rows, 12L * columns, (start, end) =>
        {
            var normalized = new float[columns];
            var scaledGrad = new float[columns];
            for (int r = start; r < end; r++)
            {
                var inputGrad = dx.Span.Slice(r * columns, columns);
                float rowRstd = rstd.Span[r];
                TensorPrimitives.Subtract(x.Span.Slice(r * columns, columns), mean.Span[r], normalized);
                TensorPrimitives.Multiply(normalized, rowRstd, normalized);
                TensorPrimitives.Multiply(dy.Span.Slice(r * columns, columns), weight.Span, scaledGrad);
                float meanScaledGrad = TensorPrimitives.Sum(scaledGrad) / columns;
                float meanScaledGradTimesNormalized = TensorPrimitives.Dot(scaledGrad, normalized) / columns;
                for (int c = 0; c < columns; c++)
                {
                    inputGrad[c] += rowRstd * (scaledGrad[c] - meanScaledGrad - normalized[c] * meanScaledGradTimesNormalized);
                }
            }
        });

        // dweight and dbias side by side: [weight gradient | bias gradient]
        var parameterGrads = new float[2 * columns];
        ReductionKernels.AccumulateOverRowChunks(rows, 4L * columns, parameterGrads, (startRow, endRow, partial) =>
        {
            var normalized = new float[columns];
            var weightGrad = partial[..columns];
            var biasGrad = partial[columns..];
            for (int r = startRow; r < endRow; r++)
            {
                var outputGrad = dy.Span.Slice(r * columns, columns);
                TensorPrimitives.Subtract(x.Span.Slice(r * columns, columns), mean.Span[r], normalized);
                TensorPrimitives.Multiply(normalized, rstd.Span[r], normalized);
                TensorPrimitives.MultiplyAdd(outputGrad, normalized, weightGrad, weightGrad);
                TensorPrimitives.Add(biasGrad, outputGrad, biasGrad);
            }
        });
        TensorPrimitives.Add(dweight.Span, parameterGrads.AsSpan(0, columns), dweight.Span);
        TensorPrimitives.Add(dbias.Span, parameterGrads.AsSpan(columns), dbias.Span);
    }
}

using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Layer normalisation over the last dimension: y = (x − mean)·rstd·weight + bias with rstd = 1/√(var + eps).
/// The forward pass saves mean and rstd per row; the backward pass needs exactly those.
/// The variance is computed from the centred values (two passes), which is stable for large means.
/// </summary>
internal static class LayerNormKernels
{
    public static void Forward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> weight, ReadOnlyMemory<float> bias, float eps,
        Memory<float> y, Memory<float> mean, Memory<float> rstd)
    {
        int columns = weight.Length;
        CpuParallel.ForRows(x.Length / columns, 8L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                (mean.Span[r], rstd.Span[r]) = NormalizeRow(x.Span.Slice(r * columns, columns), weight.Span, bias.Span, eps,
                    y.Span.Slice(r * columns, columns));
            }
        });
    }

    /// <summary>
    /// With x̂ = (x − mean)·rstd and g = dy ⊙ weight:
    /// dx += rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)), dweight += Σ_rows dy ⊙ x̂, dbias += Σ_rows dy.
    /// One pass over fixed row chunks (<see cref="ReductionKernels.AccumulateOverRowChunks"/>), so the parameter
    /// gradients do not depend on thread timing.
    /// </summary>
    public static void Backward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> weight, ReadOnlyMemory<float> mean, ReadOnlyMemory<float> rstd,
        ReadOnlyMemory<float> dy, Memory<float> dx, Memory<float> dweight, Memory<float> dbias)
    {
        int columns = weight.Length;
        // dweight and dbias side by side: [weight gradient | bias gradient]
        var parameterGrads = new float[2 * columns];
        ReductionKernels.AccumulateOverRowChunks(x.Length / columns, 16L * columns, parameterGrads, (startRow, endRow, partial) =>
        {
            var scratch = new float[3 * columns];
            var rowInputGrad = scratch.AsSpan(2 * columns);
            for (int r = startRow; r < endRow; r++)
            {
                var inputGrad = dx.Span.Slice(r * columns, columns);
                BackwardRow(x.Span.Slice(r * columns, columns), weight.Span, mean.Span[r], rstd.Span[r], dy.Span.Slice(r * columns, columns),
                    rowInputGrad, scratch.AsSpan(0, 2 * columns), partial[..columns], partial[columns..]);
                TensorPrimitives.Add(inputGrad, rowInputGrad, inputGrad);
            }
        });
        TensorPrimitives.Add(dweight.Span, parameterGrads.AsSpan(0, columns), dweight.Span);
        TensorPrimitives.Add(dbias.Span, parameterGrads.AsSpan(columns), dbias.Span);
    }

    /// <summary>y = LayerNorm(x) for one row; returns the row's mean and rstd.</summary>
    public static (float Mean, float Rstd) NormalizeRow(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        float eps, Span<float> y)
    {
        int columns = x.Length;
        float rowMean = TensorPrimitives.Sum(x) / columns;
        TensorPrimitives.Subtract(x, rowMean, y);
        float variance = TensorPrimitives.SumOfSquares(y) / columns;
        float rowRstd = 1f / MathF.Sqrt(variance + eps);
        TensorPrimitives.Multiply(y, rowRstd, y);
        TensorPrimitives.MultiplyAdd(y, weight, bias, y);
        return (rowMean, rowRstd);
    }

    /// <summary>
    /// The backward of one row: dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)) is written (not added);
    /// dy ⊙ x̂ and dy are added to <paramref name="weightGrad"/> and <paramref name="biasGrad"/>.
    /// </summary>
    /// <param name="scratch">2 × columns floats of working space.</param>
    public static void BackwardRow(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float mean, float rstd, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> scratch, Span<float> weightGrad, Span<float> biasGrad)
    {
        int columns = x.Length;
        var normalized = scratch[..columns];
        var scaledGrad = scratch.Slice(columns, columns);
        TensorPrimitives.Subtract(x, mean, normalized);
        TensorPrimitives.Multiply(normalized, rstd, normalized);
        TensorPrimitives.Multiply(dy, weight, scaledGrad);
        float meanScaledGrad = TensorPrimitives.Sum(scaledGrad) / columns;
        float meanScaledGradTimesNormalized = TensorPrimitives.Dot(scaledGrad, normalized) / columns;

        // One sweep for dx and the two parameter gradients.
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var (rstdVector, meanGradVector) = (Vector256.Create(rstd), Vector256.Create(meanScaledGrad));
            var meanGradNormalizedVector = Vector256.Create(meanScaledGradTimesNormalized);
            for (; c <= columns - Vector256<float>.Count; c += Vector256<float>.Count)
            {
                var normalizedValues = Vector256.Create(normalized.Slice(c, Vector256<float>.Count));
                var outputGrad = Vector256.Create(dy.Slice(c, Vector256<float>.Count));
                var inputGrad = rstdVector * (Vector256.Create(scaledGrad.Slice(c, Vector256<float>.Count)) - meanGradVector
                    - normalizedValues * meanGradNormalizedVector);
                inputGrad.CopyTo(dx.Slice(c));
                (Vector256.Create(weightGrad.Slice(c, Vector256<float>.Count)) + outputGrad * normalizedValues).CopyTo(weightGrad.Slice(c));
                (Vector256.Create(biasGrad.Slice(c, Vector256<float>.Count)) + outputGrad).CopyTo(biasGrad.Slice(c));
            }
        }
        for (; c < columns; c++)
        {
            dx[c] = rstd * (scaledGrad[c] - meanScaledGrad - normalized[c] * meanScaledGradTimesNormalized);
            weightGrad[c] += dy[c] * normalized[c];
            biasGrad[c] += dy[c];
        }
    }
}

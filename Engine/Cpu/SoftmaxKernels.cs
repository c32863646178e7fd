using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Softmax and log-softmax over the last dimension, numerically stable (the row maximum is subtracted before exp).
/// Rows are independent, so each block of rows runs on its own core. Every kernel here has the same loop over row
/// blocks and row slices around its own arithmetic; the loop is written out in each, so each kernel reads whole.
/// </summary>
internal static class SoftmaxKernels
{
    /// <summary>
    /// y[r, :] = softmax(x[r, :] + mask[r / rowsPerMaskRow, :]). The additive mask (0 = keep, −10000 = drop) is
    /// optional; with attention scores [B, H, Tq, Tk] and a key mask [B, Tk], rowsPerMaskRow = H·Tq.
    /// </summary>
    public static void SoftmaxForward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> mask, int rowsPerMaskRow, Memory<float> y, int columns)
    {
        int rows = x.Length / columns;
        CpuParallel.ForRows(rows, 8L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var output = y.Span.Slice(r * columns, columns);
                var input = x.Span.Slice(r * columns, columns);
                if (mask.IsEmpty)
                {
                    input.CopyTo(output);
                }
                else
                {
                    TensorPrimitives.Add(input, mask.Span.Slice(r / rowsPerMaskRow * columns, columns), output);
                }
                float max = TensorPrimitives.Max(output);
                TensorPrimitives.Subtract(output, max, output);
                TensorPrimitives.Exp(output, output);
                float sum = TensorPrimitives.Sum(output);
                TensorPrimitives.Multiply(output, 1f / sum, output);
            }
        });
    }

    /// <summary>dx += y ⊙ (dy − ⟨dy, y⟩) per row, from the forward output y.</summary>
    public static void SoftmaxBackward(ReadOnlyMemory<float> y, ReadOnlyMemory<float> dy, Memory<float> dx, int columns)
    {
        int rows = y.Length / columns;
        CpuParallel.ForRows(rows, 6L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var output = y.Span.Slice(r * columns, columns);
                var outputGrad = dy.Span.Slice(r * columns, columns);
                var inputGrad = dx.Span.Slice(r * columns, columns);
                float dot = TensorPrimitives.Dot(outputGrad, output);
                TensorPrimitives.MultiplyAdd(output, outputGrad, inputGrad, inputGrad);
                TensorPrimitives.MultiplyAdd(output, -dot, inputGrad, inputGrad);
            }
        });
    }

    /// <summary>
    /// The backward of softmax followed by dropout (attention probabilities), written rather than added:
    /// with g = dz ⊙ mask (the gradient of the softmax output y), dx = y ⊙ g − ⟨g, y⟩·y per row.
    /// <paramref name="dz"/> is overwritten with g; an empty mask means no dropout.
    /// </summary>
    public static void SoftmaxDropoutBackward(ReadOnlyMemory<float> y, Memory<float> dz, ReadOnlyMemory<float> mask, Memory<float> dx, int columns)
    {
        int rows = y.Length / columns;
        CpuParallel.ForRows(rows, 6L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var output = y.Span.Slice(r * columns, columns);
                var outputGrad = dz.Span.Slice(r * columns, columns);
                var inputGrad = dx.Span.Slice(r * columns, columns);
                if (!mask.IsEmpty)
                {
                    TensorPrimitives.Multiply(outputGrad, mask.Span.Slice(r * columns, columns), outputGrad);
                }
                float dot = TensorPrimitives.Dot(outputGrad, output);
                TensorPrimitives.Multiply(output, outputGrad, inputGrad);
                TensorPrimitives.MultiplyAdd(output, -dot, inputGrad, inputGrad);
            }
        });
    }

    /// <summary>y[r, :] = x[r, :] − max − log Σ exp(x[r, :] − max).</summary>
    public static void LogSoftmaxForward(ReadOnlyMemory<float> x, Memory<float> y, int columns)
    {
        int rows = x.Length / columns;
        CpuParallel.ForRows(rows, 8L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var input = x.Span.Slice(r * columns, columns);
                var output = y.Span.Slice(r * columns, columns);
                float logSumExp = LogSumExp(input, output);
                TensorPrimitives.Subtract(input, logSumExp, output);
            }
        });
    }

    /// <summary>dx += dy − exp(y)·Σ dy per row, from the forward output y.</summary>
    public static void LogSoftmaxBackward(ReadOnlyMemory<float> y, ReadOnlyMemory<float> dy, Memory<float> dx, int columns)
    {
        int rows = y.Length / columns;
        CpuParallel.ForRows(rows, 8L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var output = y.Span.Slice(r * columns, columns);
                var outputGrad = dy.Span.Slice(r * columns, columns);
                var inputGrad = dx.Span.Slice(r * columns, columns);
                float gradSum = TensorPrimitives.Sum(outputGrad);
                for (int c = 0; c < columns; c++)
                {
                    inputGrad[c] += outputGrad[c] - MathF.Exp(output[c]) * gradSum;
                }
            }
        });
    }

    /// <summary>log Σ exp(row), computed as max + log Σ exp(row − max); <paramref name="scratch"/> is overwritten.</summary>
    public static float LogSumExp(ReadOnlySpan<float> row, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        return max + MathF.Log(TensorPrimitives.Sum(scratch));
    }
}

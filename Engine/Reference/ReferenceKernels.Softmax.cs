namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>
    /// y[r, :] = softmax(x[r, :] + mask[r / rowsPerMaskRow, :]) over rows of <paramref name="columns"/>;
    /// <paramref name="mask"/> (0 = keep, −10000 = drop) may be null. The row maximum is subtracted before exp.
    /// </summary>
    public static void SoftmaxForward(Tensor x, Tensor? mask, int rowsPerMaskRow, Tensor y, int columns)
    {
        // x, y: [rows, columns], e.g. attention scores [B, H, Tq, Tk] with columns = Tk;
        // mask: [rows / rowsPerMaskRow, columns], e.g. a key mask [B, Tk] with rowsPerMaskRow = H·Tq
        int rows = x.Size / columns;
        var input = x.Span;
        var output = y.Span;
        var maskValues = mask is null ? default : mask.Span;
        for (int r = 0; r < rows; r++)
        {
            // output row = input row + the row's mask row
            for (int c = 0; c < columns; c++)
            {
                float value = input[r * columns + c];
                if (mask is not null)
                {
                    value += maskValues[r / rowsPerMaskRow * columns + c];
                }
                output[r * columns + c] = value;
            }
            float max = float.NegativeInfinity;
            for (int c = 0; c < columns; c++)
            {
                max = MathF.Max(max, output[r * columns + c]);
            }
            float sum = 0;
            for (int c = 0; c < columns; c++)
            {
                output[r * columns + c] = MathF.Exp(output[r * columns + c] - max);
                sum += output[r * columns + c];
            }
            for (int c = 0; c < columns; c++)
            {
                output[r * columns + c] /= sum;
            }
        }
    }

    /// <summary>dx += y ⊙ (dy − ⟨dy, y⟩) per row, from the forward output y.</summary>
    public static void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int columns)
    {
        // y, dy, dx: [rows, columns]
        int rows = y.Size / columns;
        var output = y.Span;
        var outputGrad = dy.Span;
        var inputGrad = dx.Span;
        for (int r = 0; r < rows; r++)
        {
            float dot = 0;
            for (int c = 0; c < columns; c++)
            {
                dot += outputGrad[r * columns + c] * output[r * columns + c];
            }
            for (int c = 0; c < columns; c++)
            {
                inputGrad[r * columns + c] += output[r * columns + c] * (outputGrad[r * columns + c] - dot);
            }
        }
    }

    /// <summary>
    /// The backward of softmax followed by dropout (mask null: no dropout): dz is overwritten with g = dz ⊙ mask (the
    /// gradient of the softmax output y), and dx = y ⊙ (g − ⟨g, y⟩) is written, not added.
    /// </summary>
    public static void SoftmaxDropoutBackward(Tensor y, Tensor dz, Tensor? mask, Tensor dx, int columns)
    {
        // y, dz, mask, dx: [rows, columns]
        int rows = y.Size / columns;
        var output = y.Span;
        var outputGrad = dz.Span;
        var maskValues = mask is null ? default : mask.Span;
        var inputGrad = dx.Span;
        for (int r = 0; r < rows; r++)
        {
            float dot = 0;
            for (int c = 0; c < columns; c++)
            {
                if (mask is not null)
                {
                    outputGrad[r * columns + c] *= maskValues[r * columns + c];
                }
                dot += outputGrad[r * columns + c] * output[r * columns + c];
            }
            for (int c = 0; c < columns; c++)
            {
                inputGrad[r * columns + c] = output[r * columns + c] * (outputGrad[r * columns + c] - dot);
            }
        }
    }

    /// <summary>y[r, :] = x[r, :] − logsumexp(x[r, :]).</summary>
    public static void LogSoftmaxForward(Tensor x, Tensor y, int columns)
    {
        // x, y: [rows, columns]
        int rows = x.Size / columns;
        var input = x.Span;
        var output = y.Span;
        for (int r = 0; r < rows; r++)
        {
            float logSumExp = LogSumExp(input.Slice(r * columns, columns));
            for (int c = 0; c < columns; c++)
            {
                output[r * columns + c] = input[r * columns + c] - logSumExp;
            }
        }
    }

    /// <summary>dx += dy − exp(y)·Σ dy per row, from the forward output y (exp(y) is the softmax).</summary>
    public static void LogSoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int columns)
    {
        // y, dy, dx: [rows, columns]
        int rows = y.Size / columns;
        var output = y.Span;
        var outputGrad = dy.Span;
        var inputGrad = dx.Span;
        for (int r = 0; r < rows; r++)
        {
            float gradSum = 0;
            for (int c = 0; c < columns; c++)
            {
                gradSum += outputGrad[r * columns + c];
            }
            for (int c = 0; c < columns; c++)
            {
                inputGrad[r * columns + c] += outputGrad[r * columns + c] - MathF.Exp(output[r * columns + c]) * gradSum;
            }
        }
    }

    /// <summary>log Σ exp(row) = max + log Σ exp(row − max): subtracting the maximum keeps every exp ≤ 1.</summary>
    private static float LogSumExp(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        for (int c = 0; c < row.Length; c++)
        {
            max = MathF.Max(max, row[c]);
        }
        float sum = 0;
        for (int c = 0; c < row.Length; c++)
        {
            sum += MathF.Exp(row[c] - max);
        }
        return max + MathF.Log(sum);
    }
}

using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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
                var rowMask = mask.IsEmpty ? ReadOnlySpan<float>.Empty : mask.Span.Slice(r / rowsPerMaskRow * columns, columns);
                SoftmaxRow(x.Span.Slice(r * columns, columns), rowMask, y.Span.Slice(r * columns, columns));
            }
        });
    }

    /// <summary>
    /// One row, y = softmax(x + mask) (no mask when <paramref name="mask"/> is empty), in three passes over a row that
    /// stays in L1: y = x + mask and its maximum; y = exp(y − max) and its sum; y ·= 1/sum. Attention rows are short
    /// (128), so a call per step (as with <see cref="TensorPrimitives"/>) would cost more than the arithmetic.
    /// </summary>
    private static void SoftmaxRow(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y)
    {
        int vectorEnd = VectorEnd(x.Length);

        // y = x + mask; max = the row's maximum (NaN if any is NaN, as exp would then make the row NaN anyway)
        var maxima = Vector256.Create(float.NegativeInfinity);
        for (int c = 0; c < vectorEnd; c += Width)
        {
            var value = Vector256.Create(x.Slice(c, Width));
            if (!mask.IsEmpty)
            {
                value += Vector256.Create(mask.Slice(c, Width));
            }
            value.CopyTo(y.Slice(c));
            maxima = Vector256.Max(maxima, value);
        }
        float max = float.NegativeInfinity;
        for (int lane = 0; lane < Width; lane++)
        {
            max = MathF.Max(max, maxima.GetElement(lane));
        }
        for (int c = vectorEnd; c < x.Length; c++)
        {
            y[c] = mask.IsEmpty ? x[c] : x[c] + mask[c];
            max = MathF.Max(max, y[c]);
        }

        // y = exp(y − max); sum = Σ y. Below e^−87 (the smallest normal float is e^−87.3) a term is taken as 0: it is
        // under 2⁻¹²⁶ of the sum (≥ 1), and exp would spend ~100 cycles per masked key on a subnormal result.
        var sums = Vector256<float>.Zero;
        var shift = Vector256.Create(max);
        var smallest = Vector256.Create(SmallestExpArgument);
        for (int c = 0; c < vectorEnd; c += Width)
        {
            var argument = Vector256.Create(y.Slice(c, Width)) - shift;
            var e = Vector256.ConditionalSelect(Vector256.LessThan(argument, smallest), Vector256<float>.Zero,
                VectorExp.Exp(Vector256.Max(argument, smallest)));
            e.CopyTo(y.Slice(c));
            sums += e;
        }
        float sum = Vector256.Sum(sums);
        for (int c = vectorEnd; c < x.Length; c++)
        {
            float argument = y[c] - max;
            y[c] = argument < SmallestExpArgument ? 0f : MathF.Exp(argument);
            sum += y[c];
        }

        // y = y / sum
        float inverse = 1f / sum;
        var scale = Vector256.Create(inverse);
        for (int c = 0; c < vectorEnd; c += Width)
        {
            (Vector256.Create(y.Slice(c, Width)) * scale).CopyTo(y.Slice(c));
        }
        for (int c = vectorEnd; c < x.Length; c++)
        {
            y[c] *= inverse;
        }
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
                GradientRow(output, outputGrad, Dot(output, outputGrad), dx.Span.Slice(r * columns, columns), accumulate: true);
            }
        });
    }

    /// <summary>
    /// The backward of softmax followed by dropout (attention probabilities), written rather than added:
    /// with g = dz ⊙ mask (the gradient of the softmax output y), dx = y ⊙ (g − ⟨g, y⟩) per row.
    /// <paramref name="dz"/> is overwritten with g; an empty mask means no dropout. Each row takes two passes (g and the
    /// dot product, then dx) with the arithmetic of <see cref="SoftmaxBackward"/> on g, so the two agree to the bit.
    /// </summary>
    public static void SoftmaxDropoutBackward(ReadOnlyMemory<float> y, Memory<float> dz, ReadOnlyMemory<float> mask, Memory<float> dx, int columns)
    {
        int rows = y.Length / columns;
        CpuParallel.ForRows(rows, 6L * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var output = y.Span.Slice(r * columns, columns);
                var gradient = dz.Span.Slice(r * columns, columns);
                float dot = mask.IsEmpty ? Dot(output, gradient) : MultiplyAndDot(output, gradient, mask.Span.Slice(r * columns, columns));
                GradientRow(output, gradient, dot, dx.Span.Slice(r * columns, columns), accumulate: false);
            }
        });
    }

    /// <summary>Softmax takes e^x as 0 below this x: e^−87 is just above the smallest normal float, 2⁻¹²⁶ ≈ e^−87.34.</summary>
    private const float SmallestExpArgument = -87f;

    /// <summary>Floats per vector in the row loops below.</summary>
    private const int Width = 8;

    /// <summary>The length of a row's part that the 8-wide loops cover (the rest is the scalar tail).</summary>
    private static int VectorEnd(int length) => Vector256.IsHardwareAccelerated ? length - length % Width : 0;

    /// <summary>⟨g, y⟩: eight partial sums, then the tail.</summary>
    private static float Dot(ReadOnlySpan<float> y, ReadOnlySpan<float> g)
    {
        int vectorEnd = VectorEnd(y.Length);
        var dots = Vector256<float>.Zero;
        for (int c = 0; c < vectorEnd; c += Width)
        {
            dots += Vector256.Create(g.Slice(c, Width)) * Vector256.Create(y.Slice(c, Width));
        }
        float dot = Vector256.Sum(dots);
        for (int c = vectorEnd; c < y.Length; c++)
        {
            dot += g[c] * y[c];
        }
        return dot;
    }

    /// <summary>g ⊙= mask, and ⟨g, y⟩ in the same pass (the same sums, in the same order, as <see cref="Dot"/>).</summary>
    private static float MultiplyAndDot(ReadOnlySpan<float> y, Span<float> g, ReadOnlySpan<float> mask)
    {
        int vectorEnd = VectorEnd(y.Length);
        var dots = Vector256<float>.Zero;
        for (int c = 0; c < vectorEnd; c += Width)
        {
            var gradient = Vector256.Create(g.Slice(c, Width)) * Vector256.Create(mask.Slice(c, Width));
            gradient.CopyTo(g.Slice(c));
            dots += gradient * Vector256.Create(y.Slice(c, Width));
        }
        float dot = Vector256.Sum(dots);
        for (int c = vectorEnd; c < y.Length; c++)
        {
            g[c] *= mask[c];
            dot += g[c] * y[c];
        }
        return dot;
    }

    /// <summary>dx = y ⊙ (g − dot), or added to dx when <paramref name="accumulate"/>.</summary>
    private static void GradientRow(ReadOnlySpan<float> y, ReadOnlySpan<float> g, float dot, Span<float> dx, bool accumulate)
    {
        int vectorEnd = VectorEnd(y.Length);
        var shift = Vector256.Create(dot);
        for (int c = 0; c < vectorEnd; c += Width)
        {
            var gradient = Vector256.Create(y.Slice(c, Width)) * (Vector256.Create(g.Slice(c, Width)) - shift);
            if (accumulate)
            {
                gradient += Vector256.Create(dx.Slice(c, Width));
            }
            gradient.CopyTo(dx.Slice(c));
        }
        for (int c = vectorEnd; c < y.Length; c++)
        {
            float gradient = y[c] * (g[c] - dot);
            dx[c] = accumulate ? dx[c] + gradient : gradient;
        }
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

using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Cross-entropy fused with log-softmax: for logits [N, C] and targets [N] (−100 = ignore),
/// loss = mean over kept rows of (logsumexp(logits[r]) − logits[r, target[r]]).
/// The forward keeps one number per row (its logsumexp); the backward rebuilds the probabilities from it.
/// </summary>
internal static class CrossEntropyKernels
{
    public const int IgnoreIndex = Ops.IgnoreIndex;

    /// <summary>Fills <paramref name="logSumExp"/>[r] and returns the mean loss and the number of kept rows.</summary>
    public static (double MeanLoss, int Count) Forward(ReadOnlyMemory<float> logits, ReadOnlySpan<int> targets, Memory<float> logSumExp, int classes)
    {
        int rows = targets.Length;
        var targetArray = targets.ToArray();
        for (int r = 0; r < rows; r++)
        {
            if (targetArray[r] != IgnoreIndex && (uint)targetArray[r] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {targetArray[r]} of row {r} is not a class in [0, {classes}) nor the ignore index {IgnoreIndex}.");
            }
        }
        CpuParallel.ForRows(rows, 6L * classes, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                logSumExp.Span[r] = LogSumExp(logits.Span.Slice(r * classes, classes));
            }
        });
        double total = 0;
        int count = 0;
        var logitValues = logits.Span;
        for (int r = 0; r < rows; r++)
        {
            if (targetArray[r] != IgnoreIndex)
            {
                total += logSumExp.Span[r] - logitValues[r * classes + targetArray[r]];
                count++;
            }
        }
        return (count == 0 ? 0 : total / count, count);
    }

    /// <summary>
    /// dlogits[r] += scale·(softmax(logits[r]) − onehot(target[r])) for kept rows, scale = dloss / count; with
    /// <paramref name="accumulate"/> false, dlogits is written instead (ignored rows get zeros).
    /// </summary>
    public static void Backward(ReadOnlyMemory<float> logits, ReadOnlyMemory<int> targets, ReadOnlyMemory<float> logSumExp,
        float scale, Memory<float> dlogits, int classes, bool accumulate = true)
    {
        CpuParallel.ForRows(targets.Length, 6L * classes, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                int target = targets.Span[r];
                var rowGrad = dlogits.Span.Slice(r * classes, classes);
                if (target == IgnoreIndex)
                {
                    if (!accumulate)
                    {
                        rowGrad.Clear();
                    }
                    continue;
                }
                AddScaledSoftmax(logits.Span.Slice(r * classes, classes), logSumExp.Span[r], scale, rowGrad, accumulate);
                rowGrad[target] -= scale;
            }
        });
    }

    /// <summary>log Σ exp(row) = max + log Σ exp(row − max), in two passes that write nothing.</summary>
    public static float LogSumExp(ReadOnlySpan<float> row)
    {
        float max = TensorPrimitives.Max(row);
        int i = 0;
        float sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var maxVector = Vector256.Create(max);
            var sums = Vector256<float>.Zero;
            for (; i <= row.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                sums += VectorExp.Exp(Vector256.Create(row.Slice(i, Vector256<float>.Count)) - maxVector);
            }
            sum = Vector256.Sum(sums);
        }
        for (; i < row.Length; i++)
        {
            sum += MathF.Exp(row[i] - max);
        }
        return max + MathF.Log(sum);
    }

    /// <summary>grad[c] += scale·exp(row[c] − logSumExp), i.e. scale times the softmax, in one pass (= when not <paramref name="accumulate"/>).</summary>
    private static void AddScaledSoftmax(ReadOnlySpan<float> row, float logSumExp, float scale, Span<float> grad, bool accumulate)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var shift = Vector256.Create(logSumExp);
            var scaleVector = Vector256.Create(scale);
            for (; i <= row.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var scaled = VectorExp.Exp(Vector256.Create(row.Slice(i, Vector256<float>.Count)) - shift) * scaleVector;
                if (accumulate)
                {
                    scaled += Vector256.Create(grad.Slice(i, Vector256<float>.Count));
                }
                scaled.CopyTo(grad.Slice(i));
            }
        }
        for (; i < row.Length; i++)
        {
            float scaled = scale * MathF.Exp(row[i] - logSumExp);
            grad[i] = accumulate ? grad[i] + scaled : scaled;
        }
    }
}

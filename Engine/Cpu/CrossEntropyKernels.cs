using System.Buffers;
using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Cross-entropy fused with log-softmax: for logits [N, C] and targets [N] (−100 = ignore),
/// loss = mean over kept rows of (logsumexp(logits[r]) − logits[r, target[r]]).
/// The forward keeps one number per row (its logsumexp); the backward rebuilds the probabilities from it.
/// </summary>
public static class CrossEntropyKernels
{
    public const int IgnoreIndex = -100;

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
            var scratch = ArrayPool<float>.Shared.Rent(classes);
            for (int r = start; r < end; r++)
            {
                logSumExp.Span[r] = SoftmaxKernels.LogSumExp(logits.Span.Slice(r * classes, classes), scratch.AsSpan(0, classes));
            }
            ArrayPool<float>.Shared.Return(scratch);
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

    /// <summary>dlogits[r] += scale·(softmax(logits[r]) − onehot(target[r])) for kept rows, scale = dloss / count.</summary>
    public static void Backward(ReadOnlyMemory<float> logits, ReadOnlyMemory<int> targets, ReadOnlyMemory<float> logSumExp,
        float scale, Memory<float> dlogits, int classes)
    {
        CpuParallel.ForRows(targets.Length, 6L * classes, (start, end) =>
        {
            var rented = ArrayPool<float>.Shared.Rent(classes);
            var scratch = rented.AsSpan(0, classes);
            for (int r = start; r < end; r++)
            {
                int target = targets.Span[r];
                if (target == IgnoreIndex)
                {
                    continue;
                }
                var rowGrad = dlogits.Span.Slice(r * classes, classes);
                TensorPrimitives.Subtract(logits.Span.Slice(r * classes, classes), logSumExp.Span[r], scratch);
                TensorPrimitives.Exp(scratch, scratch);
                TensorPrimitives.MultiplyAdd(scratch, scale, rowGrad, rowGrad);
                rowGrad[target] -= scale;
            }
            ArrayPool<float>.Shared.Return(rented);
        });
    }
}

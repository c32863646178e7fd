using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>
    /// For logits [N, C] and targets [N] (<see cref="CrossEntropyKernels.IgnoreIndex"/> = −100: the row is ignored):
    /// writes each row's logsumexp, and returns the mean over kept rows of logsumexp(logits[r]) − logits[r, target[r]]
    /// (summed in double, like the CPU kernel) with the number of kept rows.
    /// </summary>
    public static (double MeanLoss, int Count) CrossEntropyForward(Tensor logits, int[] targets, Tensor logSumExp, int classes)
    {
        // logits: [rows, classes]; targets, logSumExp: [rows]
        var logitValues = logits.Span;
        var rowLogSumExp = logSumExp.Span;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] != CrossEntropyKernels.IgnoreIndex && (uint)targets[r] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets),
                    $"Target {targets[r]} of row {r} is not a class in [0, {classes}) nor the ignore index {CrossEntropyKernels.IgnoreIndex}.");
            }
        }
        double total = 0;
        int count = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            int target = targets[r];
            rowLogSumExp[r] = LogSumExp(logitValues.Slice(r * classes, classes));
            if (target != CrossEntropyKernels.IgnoreIndex)
            {
                // −log softmax(logits[r])[target] = logsumexp − logits[r, target]
                total += rowLogSumExp[r] - logitValues[r * classes + target];
                count++;
            }
        }
        return (count == 0 ? 0 : total / count, count);
    }

    /// <summary><see cref="CrossEntropyForward"/> with the mean loss written, rounded to float, into loss[0]; returns the kept rows.</summary>
    public static int CrossEntropyLoss(Tensor logits, int[] targets, Tensor logSumExp, Tensor loss, int classes)
    {
        var (meanLoss, count) = CrossEntropyForward(logits, targets, logSumExp, classes);
        loss.Span[0] = (float)meanLoss;
        return count;
    }

    /// <summary>
    /// dlogits[r] = lossGrad[0]/count · (softmax(logits[r]) − onehot(target[r])) on kept rows, with the softmax
    /// rebuilt from the saved logsumexp; added, or written when <paramref name="accumulate"/> is false (ignored rows
    /// then get zeros; when adding they are left alone).
    /// </summary>
    public static void CrossEntropyBackward(Tensor logits, int[] targets, Tensor logSumExp, Tensor lossGrad, int count, Tensor logitsGrad,
        int classes, bool accumulate)
    {
        // logits, logitsGrad: [rows, classes]; targets, logSumExp: [rows]; lossGrad: [1]
        float scale = lossGrad.Span[0] / count;
        var logitValues = logits.Span;
        var rowLogSumExp = logSumExp.Span;
        var gradients = logitsGrad.Span;
        for (int r = 0; r < targets.Length; r++)
        {
            int target = targets[r];
            for (int c = 0; c < classes; c++)
            {
                float gradient = 0;
                if (target != CrossEntropyKernels.IgnoreIndex)
                {
                    float probability = MathF.Exp(logitValues[r * classes + c] - rowLogSumExp[r]);
                    float oneHot = c == target ? 1f : 0f;
                    gradient = scale * (probability - oneHot);
                }
                gradients[r * classes + c] = accumulate ? gradients[r * classes + c] + gradient : gradient;
            }
        }
    }
}

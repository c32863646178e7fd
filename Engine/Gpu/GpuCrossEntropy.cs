using ILGPU;
using ILGPU.Algorithms;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Cross-entropy fused with log-softmax, as <see cref="CrossEntropyKernels"/>: for logits [N, C] and targets [N]
/// (−100 = ignore), loss = mean over kept rows of (logsumexp(logits[r]) − logits[r, target[r]]).
/// Upload targets with <see cref="GpuDevice.UploadIndices"/> (limit C, allowed −100); a target outside both
/// gives that row a NaN loss and no gradient.
/// </summary>
internal static class GpuCrossEntropy
{
    /// <summary>
    /// Fills logSumExp[r] and rowLoss[r] (0 for ignored rows), then copies the row losses back to sum them in
    /// double on the host, in row order. Returns the mean loss and the number of kept rows (a synchronisation).
    /// </summary>
    public static (double MeanLoss, int Count) Forward(GpuDevice device, ArrayView<float> logits, ArrayView<int> targets,
        ArrayView<float> logSumExp, ArrayView<float> rowLoss, int classes)
    {
        int rows = GpuChecks.Rows("CrossEntropy", "logits", logits, classes);
        GpuChecks.Length("CrossEntropy", "targets", targets, rows);
        GpuChecks.Length("CrossEntropy", "logSumExp", logSumExp, rows);
        GpuChecks.Length("CrossEntropy", "rowLoss", rowLoss, rows);
        if (rows == 0)
        {
            return (0, 0);
        }
        device.Kernels.CrossEntropyForward(GpuRows.Config(device, rows), logits, targets, logSumExp, rowLoss, classes);
        var losses = device.Download(rowLoss);
        var targetValues = device.Download(targets);
        double total = 0;
        int count = 0;
        for (int r = 0; r < rows; r++)
        {
            if (targetValues[r] != CrossEntropyKernels.IgnoreIndex)
            {
                total += losses[r];
                count++;
            }
        }
        return (count == 0 ? 0 : total / count, count);
    }

    /// <summary>
    /// dlogits[r] += scale·(softmax(logits[r]) − onehot(target[r])) for kept rows, with scale = lossGradient[0] / count:
    /// the kernel reads the loss's one-element gradient on the device, so backward needs no round trip to the host.
    /// </summary>
    public static void Backward(GpuDevice device, ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> logSumExp,
        ArrayView<float> lossGradient, int count, ArrayView<float> dlogits, int classes)
    {
        GpuChecks.Length("CrossEntropyBackward", "lossGradient", lossGradient, 1);
        int rows = GpuChecks.Rows("CrossEntropyBackward", "logits", logits, classes);
        GpuChecks.Length("CrossEntropyBackward", "targets", targets, rows);
        GpuChecks.Length("CrossEntropyBackward", "logSumExp", logSumExp, rows);
        GpuChecks.Length("CrossEntropyBackward", "dlogits", dlogits, logits.Length);
        if (rows > 0)
        {
            device.Kernels.CrossEntropyBackward((int)logits.Length, logits, targets, logSumExp, lossGradient, count, dlogits, classes);
        }
    }

    internal static void ForwardKernel(ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> logSumExp, ArrayView<float> rowLoss, int classes)
    {
        int r = Grid.IdxX;
        var row = logits.SubView((long)r * classes, classes);
        var (max, sum) = GpuRows.ExpStatistics(row, row, false, classes);
        float rowLogSumExp = max + XMath.Log(sum);
        if (Group.IsFirstThread)
        {
            int target = targets[r];
            logSumExp[r] = rowLogSumExp;
            rowLoss[r] = target == CrossEntropyKernels.IgnoreIndex ? 0f
                : (uint)target < (uint)classes ? rowLogSumExp - row[target]
                : float.NaN;
        }
    }

    /// <summary>One thread per logit.</summary>
    internal static void BackwardKernel(Index1D e, ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> logSumExp,
        ArrayView<float> lossGradient, int count, ArrayView<float> dlogits, int classes)
    {
        float scale = lossGradient[0] / count;
        int r = e / classes;
        int target = targets[r];
        if ((uint)target >= (uint)classes)
        {
            return;
        }
        float gradient = dlogits[e] + XMath.Exp(logits[e] - logSumExp[r]) * scale;
        dlogits[e] = e % classes == target ? gradient - scale : gradient;
    }
}

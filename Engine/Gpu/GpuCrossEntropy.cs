using ILGPU;
using ILGPU.Runtime;
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
    /// Fills logSumExp[r] and rowLoss[r] (0 for ignored rows) and loss[0] = the mean of the kept rows' losses (0 when
    /// none is kept), summed in double in row order as on the CPU, all in one launch and left on the device (no
    /// synchronisation): the last row's group to finish adds up every row (<see cref="GpuLastGroup"/>).
    /// </summary>
    public static void Forward(GpuDevice device, ArrayView<float> logits, ArrayView<int> targets,
        ArrayView<float> logSumExp, ArrayView<float> rowLoss, ArrayView<float> loss, int classes)
    {
        int rows = GpuChecks.Rows("CrossEntropy", "logits", logits, classes);
        GpuChecks.Length("CrossEntropy", "targets", targets, rows);
        GpuChecks.Length("CrossEntropy", "logSumExp", logSumExp, rows);
        GpuChecks.Length("CrossEntropy", "rowLoss", rowLoss, rows);
        GpuChecks.Length("CrossEntropy", "loss", loss, 1);
        if (rows == 0)
        {
            loss.MemSetToZero();
            return;
        }
        device.Kernels.CrossEntropyForward(GpuRows.Config(device, rows), logits, targets, logSumExp, rowLoss, loss, device.GroupCounters, classes);
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

    internal static void ForwardKernel(ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> logSumExp, ArrayView<float> rowLoss,
        ArrayView<float> loss, ArrayView<int> counters, int classes)
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
        if (GpuLastGroup.IsLast(ref counters[0], Grid.DimX))
        {
            float mean = MeanOfKeptRows(rowLoss.Cast<int>(), targets);
            if (Group.IsFirstThread)
            {
                loss[0] = mean;
            }
        }
    }

    /// <summary>
    /// Σ rowLoss over kept rows / their count, in double in row order (0 when none is kept): the group reads a chunk of
    /// row losses at a time into shared memory, and its first thread adds them in order (the result is valid there only).
    /// </summary>
    private static float MeanOfKeptRows(ArrayView<int> rowLossBits, ArrayView<int> targets)
    {
        var chunk = SharedMemory.Allocate<float>(GpuDevice.MaxGroupSize);
        int rows = targets.IntLength;
        double total = 0;
        int count = 0;
        for (int first = 0; first < rows; first += Group.DimX)
        {
            if (first + Group.IdxX < rows)
            {
                chunk[Group.IdxX] = GpuLastGroup.Read(rowLossBits, first + Group.IdxX);
            }
            Group.Barrier();
            if (Group.IsFirstThread)
            {
                for (int j = 0; j < Group.DimX && first + j < rows; j++)
                {
                    if (targets[first + j] != CrossEntropyKernels.IgnoreIndex)
                    {
                        total += chunk[j];
                        count++;
                    }
                }
            }
            Group.Barrier();
        }
        return count == 0 ? 0f : (float)(total / count);
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

using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// y[r, :] = softmax(x[r, :] + mask[r / rowsPerMaskRow, :]) over rows of <paramref name="columns"/>;
    /// <paramref name="mask"/> may be null.
    /// </summary>
    public static void SoftmaxForward(Tensor x, Tensor? mask, int rowsPerMaskRow, Tensor y, int columns)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.SoftmaxForward(x, mask, rowsPerMaskRow, y, columns);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuSoftmax.Forward(gpu, x.DeviceView, mask?.DeviceView ?? default, rowsPerMaskRow, y.DeviceView, columns);
        }
        else
        {
            SoftmaxKernels.SoftmaxForward(x.Memory, mask?.Memory ?? default, rowsPerMaskRow, y.Memory, columns);
        }
    }

    /// <summary>dx += y ⊙ (dy − ⟨dy, y⟩) per row, from the forward output y.</summary>
    public static void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int columns)
    {
        if (y.Device.IsReference)
        {
            ReferenceKernels.SoftmaxBackward(y, dy, dx, columns);
            return;
        }
        if (y.Device.Gpu is { } gpu)
        {
            GpuSoftmax.Backward(gpu, y.DeviceView, dy.DeviceView, dx.DeviceView, columns);
        }
        else
        {
            SoftmaxKernels.SoftmaxBackward(y.Memory, dy.Memory, dx.Memory, columns);
        }
    }

    /// <summary>
    /// The backward of softmax followed by dropout (mask null: no dropout): dz becomes g = dz ⊙ mask, and
    /// dx = y ⊙ (g − ⟨g, y⟩) is written, not added (one pass on every device).
    /// </summary>
    public static void SoftmaxDropoutBackward(Tensor y, Tensor dz, Tensor? mask, Tensor dx, int columns)
    {
        if (y.Device.IsReference)
        {
            ReferenceKernels.SoftmaxDropoutBackward(y, dz, mask, dx, columns);
            return;
        }
        if (y.Device.Gpu is { } gpu)
        {
            GpuSoftmax.DropoutBackward(gpu, y.DeviceView, dz.DeviceView, mask?.DeviceView ?? default, dx.DeviceView, columns);
        }
        else
        {
            SoftmaxKernels.SoftmaxDropoutBackward(y.Memory, dz.Memory, mask?.Memory ?? ReadOnlyMemory<float>.Empty, dx.Memory, columns);
        }
    }

    /// <summary>y[r, :] = x[r, :] − logsumexp(x[r, :]).</summary>
    public static void LogSoftmaxForward(Tensor x, Tensor y, int columns)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.LogSoftmaxForward(x, y, columns);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuSoftmax.LogSoftmaxForward(gpu, x.DeviceView, y.DeviceView, columns);
        }
        else
        {
            SoftmaxKernels.LogSoftmaxForward(x.Memory, y.Memory, columns);
        }
    }

    /// <summary>dx += dy − exp(y)·Σ dy per row, from the forward output y.</summary>
    public static void LogSoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int columns)
    {
        if (y.Device.IsReference)
        {
            ReferenceKernels.LogSoftmaxBackward(y, dy, dx, columns);
            return;
        }
        if (y.Device.Gpu is { } gpu)
        {
            GpuSoftmax.LogSoftmaxBackward(gpu, y.DeviceView, dy.DeviceView, dx.DeviceView, columns);
        }
        else
        {
            SoftmaxKernels.LogSoftmaxBackward(y.Memory, dy.Memory, dx.Memory, columns);
        }
    }

    /// <summary>y = LayerNorm(x)·weight + bias over the last dimension; saves each row's mean and rstd.</summary>
    public static void LayerNormForward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.LayerNormForward(x, weight, bias, eps, y, mean, rstd);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuLayerNorm.Forward(gpu, x.DeviceView, weight.DeviceView, bias.DeviceView, eps, y.DeviceView, mean.DeviceView, rstd.DeviceView);
        }
        else
        {
            LayerNormKernels.Forward(x.Memory, weight.Memory, bias.Memory, eps, y.Memory, mean.Memory, rstd.Memory);
        }
    }

    /// <summary>dx += d(LayerNorm)/dx·dy, dweight += Σ_rows dy ⊙ x̂, dbias += Σ_rows dy.</summary>
    public static void LayerNormBackward(Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dweight, Tensor dbias)
    {
        if (x.Device.IsReference)
        {
            ReferenceKernels.LayerNormBackward(x, weight, mean, rstd, dy, dx, dweight, dbias);
            return;
        }
        if (x.Device.Gpu is { } gpu)
        {
            GpuLayerNorm.Backward(gpu, x.DeviceView, weight.DeviceView, mean.DeviceView, rstd.DeviceView, dy.DeviceView,
                dx.DeviceView, dweight.DeviceView, dbias.DeviceView);
        }
        else
        {
            LayerNormKernels.Backward(x.Memory, weight.Memory, mean.Memory, rstd.Memory, dy.Memory, dx.Memory, dweight.Memory, dbias.Memory);
        }
    }

    /// <summary>
    /// BERT's output-block tail: sum = Dropout(dense + bias) + residual (kept for backward; mask null = no dropout,
    /// otherwise filled from <paramref name="dropoutSeed"/>), y = LayerNorm(sum) with each row's mean and rstd.
    /// <paramref name="sum"/> may be <paramref name="dense"/> itself. One pass over the rows on every device (on a GPU,
    /// one launch).
    /// </summary>
    public static void ResidualLayerNormForward(Tensor dense, Tensor bias, Tensor residual, float dropoutProbability, ulong dropoutSeed,
        Tensor weight, Tensor normBias, float eps, Tensor? mask, Tensor sum, Tensor y, Tensor mean, Tensor rstd)
    {
        if (dense.Device.IsReference)
        {
            ReferenceKernels.ResidualLayerNormForward(dense, bias, residual, dropoutProbability, dropoutSeed, weight, normBias, eps, mask, sum, y, mean, rstd);
            return;
        }
        if (dense.Device.Gpu is not { } gpu)
        {
            ResidualLayerNormKernels.Forward(dense.Memory, bias.Memory, residual.Memory, dropoutProbability, dropoutSeed,
                weight.Memory, normBias.Memory, eps, mask?.Memory ?? Memory<float>.Empty, sum.Memory, y.Memory, mean.Memory, rstd.Memory);
            return;
        }
        GpuResidualLayerNorm.Forward(gpu, dense.DeviceView, bias.DeviceView, residual.DeviceView, dropoutProbability, dropoutSeed,
            weight.DeviceView, normBias.DeviceView, eps, mask?.DeviceView ?? default, sum.DeviceView, y.DeviceView, mean.DeviceView, rstd.DeviceView);
    }

    /// <summary>
    /// From dy: d(sum) through LayerNorm added to residualGrad; denseGrad = d(sum) ⊙ mask (written; mask null = none);
    /// LayerNorm weight and bias gradients and the dense bias gradient Σ_rows denseGrad added to theirs (on a GPU, two
    /// launches: the rows, then the three column sums).
    /// </summary>
    public static void ResidualLayerNormBackward(Tensor sum, Tensor weight, Tensor mean, Tensor rstd, Tensor? mask, Tensor dy,
        Tensor residualGrad, Tensor denseGrad, Tensor weightGrad, Tensor normBiasGrad, Tensor denseBiasGrad)
    {
        if (sum.Device.IsReference)
        {
            ReferenceKernels.ResidualLayerNormBackward(sum, weight, mean, rstd, mask, dy, residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad);
            return;
        }
        if (sum.Device.Gpu is not { } gpu)
        {
            ResidualLayerNormKernels.Backward(sum.Memory, weight.Memory, mean.Memory, rstd.Memory,
                mask?.Memory ?? ReadOnlyMemory<float>.Empty, dy.Memory, residualGrad.Memory, denseGrad.Memory,
                weightGrad.Memory, normBiasGrad.Memory, denseBiasGrad.Memory);
            return;
        }
        GpuResidualLayerNorm.Backward(gpu, sum.DeviceView, weight.DeviceView, mean.DeviceView, rstd.DeviceView, mask?.DeviceView ?? default,
            dy.DeviceView, residualGrad.DeviceView, denseGrad.DeviceView, weightGrad.DeviceView, normBiasGrad.DeviceView, denseBiasGrad.DeviceView);
    }

    /// <summary>
    /// Per-row logsumexp of logits [N, C] and the mean cross-entropy over rows whose target is not −100, with the
    /// number of such rows, on the host (on a GPU, a synchronisation; training uses <see cref="CrossEntropyLoss"/>).
    /// </summary>
    public static (double MeanLoss, int Count) CrossEntropyForward(Tensor logits, int[] targets, Tensor logSumExp, int classes)
    {
        if (logits.Device.IsReference)
        {
            return ReferenceKernels.CrossEntropyForward(logits, targets, logSumExp, classes);
        }
        if (logits.Device.Gpu is not { } gpu)
        {
            return CrossEntropyKernels.Forward(logits.Memory, targets, logSumExp.Memory, classes);
        }
        var loss = Tensor.Uninitialized(logits.Device, 1);
        int count = CrossEntropyLoss(logits, targets, logSumExp, loss, classes);
        return (loss.Item(), count);
    }

    /// <summary>
    /// As <see cref="CrossEntropyForward"/>, with the mean loss written into the one-element <paramref name="loss"/>
    /// (float) instead of returned: on a GPU it stays there (no synchronisation). Returns the number of kept rows,
    /// which the host knows from the targets.
    /// </summary>
    public static int CrossEntropyLoss(Tensor logits, int[] targets, Tensor logSumExp, Tensor loss, int classes)
    {
        if (logits.Device.IsReference)
        {
            return ReferenceKernels.CrossEntropyLoss(logits, targets, logSumExp, loss, classes);
        }
        if (logits.Device.Gpu is not { } gpu)
        {
            var (meanLoss, count) = CrossEntropyKernels.Forward(logits.Memory, targets, logSumExp.Memory, classes);
            loss.Span[0] = (float)meanLoss;
            return count;
        }
        var rowLoss = Tensor.Uninitialized(logits.Device, targets.Length);
        GpuCrossEntropy.Forward(gpu, logits.DeviceView, CrossEntropyTargets(logits.Device, targets, classes), logSumExp.DeviceView,
            rowLoss.DeviceView, loss.DeviceView, classes);
        return targets.Count(target => target != Ops.IgnoreIndex);
    }

    /// <summary>
    /// dlogits = lossGrad[0]/count · (softmax(logits) − onehot(target)) on kept rows; added, or written when
    /// <paramref name="accumulate"/> is false. On a GPU the one-element <paramref name="lossGrad"/> is read on the device.
    /// </summary>
    public static void CrossEntropyBackward(Tensor logits, int[] targets, Tensor logSumExp, Tensor lossGrad, int count, Tensor logitsGrad,
        int classes, bool accumulate)
    {
        if (logits.Device.IsReference)
        {
            ReferenceKernels.CrossEntropyBackward(logits, targets, logSumExp, lossGrad, count, logitsGrad, classes, accumulate);
            return;
        }
        if (logits.Device.Gpu is not { } gpu)
        {
            CrossEntropyKernels.Backward(logits.Memory, targets, logSumExp.Memory, lossGrad.Span[0] / count, logitsGrad.Memory, classes,
                accumulate: accumulate);
            return;
        }
        if (!accumulate)
        {
            ZeroOnGpu(logitsGrad);
        }
        GpuCrossEntropy.Backward(gpu, logits.DeviceView, CrossEntropyTargets(logits.Device, targets, classes), logSumExp.DeviceView,
            lossGrad.DeviceView, count, logitsGrad.DeviceView, classes);
    }

    private static ILGPU.ArrayView<int> CrossEntropyTargets(Device device, int[] targets, int classes) =>
        UploadIndices(device, targets, classes, "CrossEntropy targets", allowed: Ops.IgnoreIndex);
}

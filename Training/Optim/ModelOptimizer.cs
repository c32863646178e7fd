using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Training.Distributed;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// AdamW over a model's flat parameter buffers (the encoder's, and a task head's when fine-tuning), wherever they are
/// (<see cref="DeviceAdamW"/> per buffer). It does the optimizer's part of a training step: zero the gradients,
/// average them over the micro-batches, find the global norm over every buffer together (PyTorch's
/// <c>clip_grad_norm_</c>), and update the parameters with the gradients scaled by the clipping factor. In a
/// data-parallel run the gradients are summed over the ranks before the norm, so clipping and AdamW see the gradient
/// of the global batch and every rank makes the same update. Clipping is decided, and a non-finite step skipped,
/// where the gradients are (a <see cref="StepControl"/> tensor in <see cref="StepResults"/>): on a GPU the host
/// learns the outcome from the step's one download.
/// </summary>
internal sealed class ModelOptimizer
{
    private readonly ParameterBuffer[] _buffers;
    private readonly DeviceAdamW[] _optimizers;
    private readonly DataParallel? _dataParallel;

    /// <summary>
    /// One AdamW per buffer (new, or loaded from a checkpoint), in the same order; the ranks of
    /// <paramref name="dataParallel"/> sum their gradients. <paramref name="readbackCapacity"/>: floats a step may
    /// read back besides its step control (what the caller adds to <see cref="StepResults"/>, e.g. predictions).
    /// </summary>
    public ModelOptimizer(IReadOnlyList<ParameterBuffer> buffers, IReadOnlyList<AdamW> optimizers, DataParallel? dataParallel = null,
        int readbackCapacity = 0)
    {
        if (buffers.Count != optimizers.Count || buffers.Count == 0)
        {
            throw new ArgumentException($"One AdamW per parameter buffer: {buffers.Count} buffers, {optimizers.Count} optimizers.");
        }
        _buffers = [.. buffers];
        _optimizers = [.. buffers.Select((buffer, i) => new DeviceAdamW(optimizers[i], buffer))];
        _dataParallel = dataParallel;
        StepResults = new DeviceReadback(buffers[0].Device, StepControl.Length + readbackCapacity);
    }

    /// <summary>What a training step reads back from the parameters' device, in one download at its end.</summary>
    public DeviceReadback StepResults { get; }

    /// <summary>Updates made so far.</summary>
    public long StepCount => _optimizers[0].StepCount;

    /// <summary>
    /// The host optimizer of buffer <paramref name="index"/>, with the state of the last update (downloaded from a
    /// GPU first): what a checkpoint saves.
    /// </summary>
    public AdamW HostState(int index = 0)
    {
        _optimizers[index].CopyStateToHost();
        return _optimizers[index].Host;
    }

    /// <summary>Takes the state of <paramref name="restored"/> (one AdamW per buffer, from a checkpoint) into this optimizer, in place.</summary>
    public void LoadState(IReadOnlyList<AdamW> restored)
    {
        for (int i = 0; i < _optimizers.Length; i++)
        {
            _optimizers[i].LoadState(restored[i]);
        }
    }

    /// <summary>Sets every gradient to zero: backward adds into them.</summary>
    public void ZeroGradients()
    {
        foreach (var buffer in _buffers)
        {
            buffer.ZeroGradients();
        }
    }

    /// <summary>
    /// Turns the gradients summed over <paramref name="microBatches"/> micro-batches into their mean, sums them over
    /// the ranks of a data-parallel run, and writes into <paramref name="control"/> the global norm, the clipping
    /// factor for <paramref name="maxNorm"/> and whether the step may update (<see cref="TensorKernels.GradientClipping"/>):
    /// the norm is not finite exactly when some gradient is not (on any rank).
    /// </summary>
    public void AverageAndClip(int microBatches, double maxNorm, Tensor control)
    {
        for (int i = 0; i < _optimizers.Length; i++)
        {
            _optimizers[i].AverageMicroBatches(microBatches);
            _dataParallel?.SumGradients(_buffers[i]);
        }
        TensorKernels.GradientClipping([.. _buffers.Select(buffer => buffer.AllGradients)], maxNorm, control);
    }

    /// <summary>One AdamW update of every buffer at <paramref name="learningRate"/>, from the clipped gradients, unless <paramref name="control"/> says to skip it.</summary>
    public void Step(double learningRate, Tensor control)
    {
        foreach (var optimizer in _optimizers)
        {
            optimizer.Step(learningRate, control);
        }
    }

    /// <summary>Counts an update the step's results say was applied (AdamW's t moves on).</summary>
    public void CountUpdate()
    {
        foreach (var optimizer in _optimizers)
        {
            optimizer.Host.CountUpdate();
        }
    }
}

using MiniBioBert.Engine;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// AdamW over a model's flat parameter buffers (the encoder's, and a task head's when fine-tuning), wherever they
/// are: <see cref="AdamW"/> for host buffers, <see cref="DeviceAdamW"/> for buffers on a GPU. It does the optimizer's
/// part of a training step: zero the gradients, average them over the micro-batches, clip them to a global norm
/// (PyTorch's <c>clip_grad_norm_</c> over every buffer together), and update the parameters.
/// </summary>
internal sealed class ModelOptimizer : IDisposable
{
    private readonly ParameterBuffer[] _buffers;
    private readonly AdamW[] _host;
    private readonly DeviceAdamW?[] _device;

    /// <summary>The factor the last <see cref="AverageAndClip"/> chose: host gradients are already scaled by it, a GPU update applies it.</summary>
    private float _clipScale = 1f;

    /// <summary>One AdamW per buffer (new, or loaded from a checkpoint), in the same order.</summary>
    public ModelOptimizer(IReadOnlyList<ParameterBuffer> buffers, IReadOnlyList<AdamW> optimizers)
    {
        if (buffers.Count != optimizers.Count || buffers.Count == 0)
        {
            throw new ArgumentException($"One AdamW per parameter buffer: {buffers.Count} buffers, {optimizers.Count} optimizers.");
        }
        _buffers = [.. buffers];
        _host = [.. optimizers];
        _device = [.. buffers.Select((buffer, i) => buffer.Device.IsHost ? null : new DeviceAdamW(optimizers[i], buffer))];
    }

    /// <summary>Updates made so far.</summary>
    public long StepCount => _device[0]?.StepCount ?? _host[0].StepCount;

    /// <summary>
    /// The host optimizer of buffer <paramref name="index"/>, with the state of the last update (downloaded from the
    /// GPU first, when the buffer is there): what a checkpoint saves.
    /// </summary>
    public AdamW HostState(int index = 0)
    {
        _device[index]?.CopyStateToHost();
        return _host[index];
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
    /// Turns the gradients summed over <paramref name="microBatches"/> micro-batches into their mean, then clips them
    /// to global norm <paramref name="maxNorm"/> (<see cref="GradientClipping"/>). Returns the norm before clipping:
    /// not finite exactly when some gradient is not.
    /// </summary>
    public double AverageAndClip(int microBatches, double maxNorm)
    {
        double sumOfSquares = 0;
        for (int i = 0; i < _buffers.Length; i++)
        {
            if (_device[i] is { } onDevice)
            {
                onDevice.AverageMicroBatches(microBatches);
                sumOfSquares += onDevice.GradientSumOfSquares();
            }
            else
            {
                GradientAccumulation.AverageMicroBatches(_buffers[i].Gradients, microBatches);
                sumOfSquares += FlatBuffer.SumOfSquares(_buffers[i].Gradients);
            }
        }
        double norm = Math.Sqrt(sumOfSquares);
        _clipScale = GradientClipping.ScaleFor(norm, maxNorm);
        for (int i = 0; i < _buffers.Length; i++)
        {
            if (_device[i] is null && _clipScale != 1f)
            {
                FlatBuffer.Scale(_buffers[i].Gradients, _clipScale);
            }
        }
        return norm;
    }

    /// <summary>One AdamW update of every buffer at <paramref name="learningRate"/>, from the clipped gradients.</summary>
    public void Step(double learningRate)
    {
        for (int i = 0; i < _buffers.Length; i++)
        {
            if (_device[i] is { } onDevice)
            {
                onDevice.Step(learningRate, _clipScale);
            }
            else
            {
                _host[i].Step(_buffers[i].Values, _buffers[i].Gradients, learningRate);
            }
        }
    }

    public void Dispose()
    {
        foreach (var onDevice in _device)
        {
            onDevice?.Dispose();
        }
    }
}

using ILGPU;
using ILGPU.Runtime;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// <see cref="AdamW"/> for parameters on a GPU device: the same update (<see cref="GpuAdamW"/>) applied to the flat
/// device buffers of a <see cref="ParameterBuffer"/>, with the moments m, v and a decay mask (1 where weight decay
/// applies, 0 for biases and LayerNorm parameters) kept on the device. Gradient averaging and clipping follow
/// <see cref="GradientAccumulation"/> and <see cref="GradientClipping"/>; the clipping factor is applied inside the
/// update instead of in a pass of its own. The only values read back per step are the gradient norm (one number).
/// <para>
/// It starts from a host <see cref="AdamW"/> (options, step count, moments — a new one or one loaded from a
/// checkpoint), and <see cref="CopyStateToHost"/> writes the step count and the moments back into it before a
/// checkpoint is saved, so the optimizer file is the same whichever device trained.
/// </para>
/// </summary>
public sealed class DeviceAdamW : IDisposable
{
    private readonly GpuDevice _gpu;
    private readonly ParameterBuffer _parameters;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _firstMoment;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _secondMoment;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _decayMask;

    /// <summary>Uploads the state of <paramref name="host"/> for the parameters of <paramref name="parameters"/> (which must be on a GPU).</summary>
    public DeviceAdamW(AdamW host, ParameterBuffer parameters)
    {
        _gpu = parameters.Device.Gpu
            ?? throw new ArgumentException($"DeviceAdamW needs parameters on a GPU device, not on {parameters.Device.Name}; use AdamW.", nameof(parameters));
        if (host.ParameterCount != parameters.Count)
        {
            throw new ArgumentException($"The optimizer covers {host.ParameterCount} parameters but the buffer holds {parameters.Count}.", nameof(host));
        }
        Host = host;
        _parameters = parameters;
        StepCount = host.StepCount;
        var decay = new float[host.ParameterCount];
        foreach (var segment in host.Segments)
        {
            decay.AsSpan(segment.Offset, segment.Length).Fill(segment.Decay ? 1f : 0f);
        }
        _decayMask = _gpu.Upload<float>(decay);
        _firstMoment = _gpu.Upload(host.FirstMoment);
        _secondMoment = _gpu.Upload(host.SecondMoment);
    }

    /// <summary>The host optimizer: its options drive the update, and it receives the state in <see cref="CopyStateToHost"/>.</summary>
    public AdamW Host { get; }

    /// <summary>Number of updates made so far (t of the last update).</summary>
    public long StepCount { get; private set; }

    /// <summary>g ← g / N on the device, as <see cref="GradientAccumulation.AverageMicroBatches"/>.</summary>
    public void AverageMicroBatches(int microBatchCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatchCount, 1);
        if (microBatchCount > 1)
        {
            GpuElementwise.Scale(_gpu, _parameters.GradientsView, 1f / microBatchCount, _parameters.GradientsView);
        }
    }

    /// <summary>Σ g² over every gradient, in double (non-finite when some gradient is); reads one number back from the device.</summary>
    public double GradientSumOfSquares() => GpuReductions.SumOfSquares(_gpu, _parameters.GradientsView);

    /// <summary>One AdamW update of the parameters from gradients × <paramref name="gradientScale"/>, at <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate, float gradientScale = 1f)
    {
        if (!(learningRate >= 0 && double.IsFinite(learningRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be non-negative and finite.");
        }
        StepCount++;
        var settings = Host.Options.ForLearningRate(learningRate);
        GpuAdamW.Step(_gpu, _parameters.ValuesView, _parameters.GradientsView, _firstMoment.View, _secondMoment.View, _decayMask.View,
            settings, checked((int)StepCount), gradientScale);
    }

    /// <summary>Downloads the moments and the step count into <see cref="Host"/> (before saving it).</summary>
    public void CopyStateToHost() =>
        Host.RestoreState(StepCount, _gpu.Download<float>(_firstMoment.View), _gpu.Download<float>(_secondMoment.View));

    public void Dispose()
    {
        _firstMoment.Dispose();
        _secondMoment.Dispose();
        _decayMask.Dispose();
    }
}

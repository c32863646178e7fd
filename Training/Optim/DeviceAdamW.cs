using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// <see cref="AdamW"/> where a parameter buffer is (<c>cpu</c>, <c>reference</c> or a GPU): the moments m, v and the
/// decay mask as tensors on the buffer's device — views of the host optimizer's own arrays on a host device, copies
/// on a GPU — so that averaging and the update run where the parameters are, through the dispatch layer
/// (<see cref="TensorKernels.AdamWUpdate"/>).
/// <para>
/// It starts from a host <see cref="AdamW"/> (options, step count, moments — a new one or one loaded from a
/// checkpoint), and <see cref="CopyStateToHost"/> downloads the moments from a GPU into it before a checkpoint is
/// saved, so the optimizer file is the same whichever device trained.
/// </para>
/// </summary>
internal sealed class DeviceAdamW
{
    private readonly ParameterBuffer _parameters;
    private readonly Tensor _firstMoment;   // m: [Count]
    private readonly Tensor _secondMoment;  // v: [Count]
    private readonly Tensor _decayMask;     // [Count], 1 where weight decay applies

    /// <summary>The state of <paramref name="host"/> for the parameters of <paramref name="parameters"/>, on their device.</summary>
    public DeviceAdamW(AdamW host, ParameterBuffer parameters)
    {
        if (host.ParameterCount != parameters.Count)
        {
            throw new ArgumentException($"The optimizer covers {host.ParameterCount} parameters but the buffer holds {parameters.Count}.", nameof(host));
        }
        Host = host;
        _parameters = parameters;
        var (firstMoment, secondMoment) = host.MomentArrays;
        using var outlivesAnyStep = TensorScope.Suspended(); // the moments live as long as the optimizer
        _firstMoment = OnDevice(parameters.Device, firstMoment);
        _secondMoment = OnDevice(parameters.Device, secondMoment);
        _decayMask = OnDevice(parameters.Device, host.DecayMask);
    }

    /// <summary>The host optimizer: its options drive the update; it counts the steps and receives the moments in <see cref="CopyStateToHost"/>.</summary>
    public AdamW Host { get; }

    /// <summary>Number of updates made so far (t of the last update).</summary>
    public long StepCount => Host.StepCount;

    /// <summary>g ← g / N where the gradients are (<see cref="GradientAccumulation.AverageMicroBatches"/>).</summary>
    public void AverageMicroBatches(int microBatchCount) => GradientAccumulation.AverageMicroBatches(_parameters.AllGradients, microBatchCount);

    /// <summary>
    /// One AdamW update of the parameters at <paramref name="learningRate"/>, as the step-control tensor
    /// <paramref name="control"/> says (clipping factor, apply or skip); the step count moves in <see cref="AdamW.CountUpdate"/>.
    /// </summary>
    public void Step(double learningRate, Tensor control) =>
        Host.Update(_parameters.AllValues, _parameters.AllGradients, _firstMoment, _secondMoment, _decayMask, learningRate, control);

    /// <summary>
    /// Takes the step count and moments of <paramref name="restored"/> (a checkpoint's optimizer, for a rollback) into
    /// the state already in place: the host arrays, and the device copies on a GPU (no new device memory).
    /// </summary>
    public void LoadState(AdamW restored)
    {
        if (restored.ParameterCount != Host.ParameterCount || restored.Options != Host.Options)
        {
            throw new ArgumentException("The restored optimizer covers other parameters or has other options.", nameof(restored));
        }
        Host.RestoreState(restored.StepCount, restored.FirstMoment, restored.SecondMoment);
        if (!_parameters.Device.IsHost)
        {
            _firstMoment.CopyFrom(restored.FirstMoment);
            _secondMoment.CopyFrom(restored.SecondMoment);
        }
    }

    /// <summary>Downloads the moments into <see cref="Host"/> when they live on a GPU (on a host device they are its arrays already).</summary>
    public void CopyStateToHost()
    {
        if (!_parameters.Device.IsHost)
        {
            Host.RestoreState(Host.StepCount, _firstMoment.ToArray(), _secondMoment.ToArray());
        }
    }

    /// <summary>A host array as a tensor on <paramref name="device"/>: a view on a host device, an uploaded copy on a GPU.</summary>
    private static Tensor OnDevice(Device device, float[] values) => device.IsHost
        ? Tensor.ViewOf(device, values, 0, values.Length)
        : Tensor.FromArray(values, values.Length).To(device);
}

using MiniBioBert.Engine;

namespace MiniBioBert.Training.Distributed;

/// <summary>
/// What data parallelism does to a model's flat parameter buffer: the same starting values on every rank (rank 0's,
/// broadcast), and after each backward pass the sum over the ranks of the gradients, so that every rank clips and
/// updates with the same gradient and the parameters stay equal without ever being sent again. On a GPU the
/// buffer goes device → host → MPI → host → device through one host array (MPI here reads host memory only).
/// </summary>
internal sealed class DataParallel(ProcessGroup group)
{
    /// <summary>Host staging of a GPU buffer's values or gradients ([Count]); allocated on first use.</summary>
    private float[] _host = [];

    /// <summary>The processes this model trains on.</summary>
    public ProcessGroup Group { get; } = group;

    /// <summary>Every rank's parameters ← rank 0's.</summary>
    public void BroadcastParameters(ParameterBuffer parameters)
    {
        if (Group.Size == 1)
        {
            return;
        }
        var values = HostArray(parameters);
        parameters.CopyValuesTo(values);
        Group.BroadcastFromRankZero(values);
        parameters.CopyValuesFrom(values);
    }

    /// <summary>Every rank's gradients ← their sum over the ranks (each rank's loss is its part of the global loss: <see cref="BatchShare.LossPart"/>).</summary>
    public void SumGradients(ParameterBuffer parameters)
    {
        if (Group.Size == 1)
        {
            return;
        }
        if (parameters.Device.IsHost)
        {
            Group.SumInPlace(parameters.Gradients);
            return;
        }
        var gradients = HostArray(parameters);
        parameters.AllGradients.CopyTo(gradients);
        Group.SumInPlace(gradients);
        parameters.AllGradients.CopyFrom(gradients);
    }

    private float[] HostArray(ParameterBuffer parameters)
    {
        if (_host.Length != parameters.Count)
        {
            _host = new float[parameters.Count];
        }
        return _host;
    }
}

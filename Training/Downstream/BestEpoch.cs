using MiniBioBert.Engine;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// The parameters of the epoch with the best devel score so far, to be restored at the end (early stopping). The copies
/// are host arrays wherever the parameters are (downloaded from and uploaded back to a GPU).
/// </summary>
internal sealed class BestEpoch(IReadOnlyList<ParameterBuffer> buffers)
{
    private readonly float[][] _values = [.. buffers.Select(Snapshot)];
    private double _score = double.NegativeInfinity;

    /// <summary>Epochs since the best one.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Keeps the current parameters when <paramref name="score"/> beats the best so far.</summary>
    public void Offer(double score)
    {
        if (!(score > _score)) // NaN is no improvement
        {
            EpochsWithoutImprovement++;
            return;
        }
        (_score, EpochsWithoutImprovement) = (score, 0);
        for (int i = 0; i < buffers.Count; i++)
        {
            buffers[i].CopyValuesTo(_values[i]);
        }
    }

    /// <summary>Puts the best epoch's parameters back into the model.</summary>
    public void Restore()
    {
        for (int i = 0; i < buffers.Count; i++)
        {
            buffers[i].CopyValuesFrom(_values[i]);
        }
    }

    private static float[] Snapshot(ParameterBuffer buffer)
    {
        var values = new float[buffer.Count];
        buffer.CopyValuesTo(values);
        return values;
    }
}

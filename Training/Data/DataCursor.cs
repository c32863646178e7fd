namespace MiniBioBert.Training.Data;

/// <summary>A position in the endless stream of training batches: the epoch and the batch index within it.
/// Saving it in a checkpoint and reading from it again reproduces the following batches exactly.</summary>
internal readonly record struct DataCursor(int Epoch, int BatchIndex)
{
    /// <summary>The first batch of epoch 0.</summary>
    public static DataCursor Start => new(0, 0);

    /// <summary>"epoch E, batch K".</summary>
    public override string ToString() => $"epoch {Epoch}, batch {BatchIndex}";
}

/// <summary>A training batch with its position and the position to resume from once it has been used.</summary>
internal sealed record PositionedBatch(DataCursor Position, DataCursor Next, PretrainingBatch Batch);

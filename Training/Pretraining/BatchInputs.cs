using MiniBioBert.Model;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Pretraining;

/// <summary>Turns the data pipeline's batches into the model's inputs.</summary>
internal static class BatchInputs
{
    /// <summary>The same arrays, viewed as <see cref="PretrainingInputs"/> (no copy).</summary>
    public static PretrainingInputs ToInputs(this PretrainingBatch batch) =>
        new(batch.BatchSize, batch.SequenceLength, batch.InputIds, batch.TokenTypeIds, batch.AttentionMask,
            batch.MlmLabels, batch.NspLabels);
}

using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// A training forward pass's mean losses and predictions, queued into the step's readback (where they lie in it), so
/// that they come back with the step's one download; <see cref="Score"/> reads them after it. Only the host targets
/// of <see cref="Output"/> are used then: its tensors have gone back to the pool with the micro-batch.
/// </summary>
internal sealed record PendingScores(PretrainingOutput Output, Range MlmLoss, Range NspLoss, Range Predictions)
{
    /// <summary>Queues copies of <paramref name="output"/>'s losses and predictions into <paramref name="readback"/>.</summary>
    public static PendingScores Queue(PretrainingOutput output, DeviceReadback readback) =>
        new(output, readback.Add(output.MlmLoss), readback.Add(output.NspLoss), readback.Add(output.Predictions));

    /// <summary>The scores, once <paramref name="readback"/> has been downloaded.</summary>
    public PretrainingScores Score(DeviceReadback readback) =>
        Output.Score(readback.Read(Predictions), readback.Read(MlmLoss)[0], readback.Read(NspLoss)[0]);
}

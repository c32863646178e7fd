namespace MiniBioBert.Training.Pretraining;

/// <summary>What the pretraining trainer does when a step's loss or gradient is NaN or infinite (<c>--on-non-finite</c>).</summary>
internal enum NonFiniteAction
{
    /// <summary>Skip the update and go on with the next batch (the weights and the optimizer stay as they were).</summary>
    Skip,

    /// <summary>
    /// Restore the weights, the optimizer and the step of the newest checkpoint and go on with the batch after the
    /// failed one (see <see cref="PretrainingTrainer"/>).
    /// </summary>
    Rollback,
}

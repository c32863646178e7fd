namespace MiniBioBert.Training.Pretraining;

/// <summary>What one optimizer step measured (means over its micro-batches).</summary>
/// <param name="Step">Steps completed, this one included (1-based).</param>
/// <param name="Skipped">True when the loss or the gradient was not finite and the update was skipped.</param>
internal sealed record StepResult(
    long Step, double Loss, double MlmLoss, double NspLoss, double MlmAccuracy, double NspAccuracy,
    double LearningRate, double GradNorm, bool Skipped);

/// <summary>A rollback after a non-finite loss or gradient (<see cref="NonFiniteAction.Rollback"/>).</summary>
/// <param name="FailedStep">The step (1-based) whose loss or gradient was not finite.</param>
/// <param name="RestoredStep">The step of the checkpoint whose weights, optimizer and schedule were restored.</param>
/// <param name="Tensor">The first non-finite tensor (see <see cref="NonFiniteTensors.First"/>), or "loss".</param>
/// <param name="Checkpoint">The checkpoint directory restored.</param>
/// <param name="RollbacksInARow">Rollbacks since a step got past the failing one, this one included.</param>
internal sealed record RollbackResult(long FailedStep, long RestoredStep, string Tensor, string Checkpoint, int RollbacksInARow);

/// <summary>Why a run ended.</summary>
internal enum StopReason
{
    /// <summary>The planned number of steps is done.</summary>
    Completed,

    /// <summary>The requested number of epochs is done.</summary>
    EpochsDone,

    /// <summary>The time budget is spent.</summary>
    TimeBudgetSpent,

    /// <summary>Stopped on request (Ctrl+C).</summary>
    Interrupted,
}

/// <summary>The outcome of <see cref="PretrainingTrainer.Run"/>.</summary>
internal sealed record TrainingResult(long Steps, StopReason Reason, PretrainingMetrics FinalEvaluation, string LastCheckpoint, TimeSpan Elapsed);

namespace MiniBioBert.Training.Pretraining;

/// <summary>What one optimizer step measured (means over its micro-batches).</summary>
/// <param name="Step">Steps completed, this one included (1-based).</param>
/// <param name="Skipped">True when the gradient was not finite and the update was skipped.</param>
public sealed record StepResult(
    long Step, double Loss, double MlmLoss, double NspLoss, double MlmAccuracy, double NspAccuracy,
    double LearningRate, double GradNorm, bool Skipped);

/// <summary>Why a run ended.</summary>
public enum StopReason
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
public sealed record TrainingResult(long Steps, StopReason Reason, PretrainingMetrics FinalEvaluation, string LastCheckpoint, TimeSpan Elapsed);

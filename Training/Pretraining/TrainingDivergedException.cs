namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The run keeps producing non-finite losses or gradients: <see cref="PretrainingTrainer.MaxRollbacksInARow"/>
/// rollbacks did not get it past the failing step. The command line reports it as a run-time failure (exit code 1).
/// </summary>
internal sealed class TrainingDivergedException(string message) : InvalidOperationException(message);

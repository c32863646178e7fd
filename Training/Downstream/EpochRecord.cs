namespace MiniBioBert.Training.Downstream;

/// <summary>One epoch of fine-tuning: mean training loss, the devel score after it, and the time it took.</summary>
internal sealed record EpochRecord(int Epoch, double TrainLoss, double DevelScore, TimeSpan Elapsed);

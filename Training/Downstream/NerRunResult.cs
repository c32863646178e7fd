namespace MiniBioBert.Training.Downstream;

/// <summary>The outcome of one NER fine-tuning run: the epochs, and conlleval scores of the best epoch's model.</summary>
internal sealed record NerRunResult(IReadOnlyList<EpochRecord> Epochs, NerScores Devel, NerScores Test);

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The first phase of a two-phase pretraining schedule: the first <paramref name="Fraction"/> of the steps read
/// sequences of <paramref name="SequenceLength"/> tokens, <paramref name="GlobalBatchSize"/> to a step over all ranks;
/// the rest read the run's full-length, full-size batches. BERT's sequence-length schedule (shorter sequences, as many
/// more of them) and a batch ramp (full-length sequences, fewer of them) are the two kinds.
/// </summary>
internal sealed record EarlyPhase(int SequenceLength, int GlobalBatchSize, double Fraction);

namespace MiniBioBert.Training.Data;

/// <summary>
/// The knobs of example creation and masking, with the defaults of BERT's <c>create_pretraining_data</c>
/// (short_seq_prob 0.1, masked_lm_prob 0.15, max_predictions_per_seq 20) and a sequence length of 128.
/// </summary>
internal sealed record PretrainingDataOptions
{
    /// <summary>Length of every sequence, [CLS] A [SEP] B [SEP] included; batches are padded to it.</summary>
    public int MaxSequenceLength { get; init; } = 128;

    /// <summary>Probability that a document's chunks aim at a random length in [2, max] instead of the max.</summary>
    public double ShortSequenceProbability { get; init; } = 0.1;

    /// <summary>Probability that segment B is taken from another document (NSP label 1).</summary>
    public double RandomNextProbability { get; init; } = 0.5;

    /// <summary>BERT's share of the tokens chosen for masked-LM prediction.</summary>
    public const double BertMaskedLmProbability = 0.15;

    /// <summary>BERT's cap on the predictions of a 128-token sequence.</summary>
    public const int BertMaxPredictionsPerSequence = 20;

    /// <summary>Fraction of the non-special tokens chosen for masked-LM prediction (rounded, at least 1).</summary>
    public double MaskedLmProbability { get; init; } = BertMaskedLmProbability;

    /// <summary>Cap on the number of predicted tokens per sequence.</summary>
    public int MaxPredictionsPerSequence { get; init; } = BertMaxPredictionsPerSequence;

    /// <summary>Of the chosen tokens, the fraction replaced by [MASK].</summary>
    public double MaskTokenProbability { get; init; } = 0.8;

    /// <summary>Of the chosen tokens, the fraction replaced by a random token; the rest stay unchanged.</summary>
    public double RandomTokenProbability { get; init; } = 0.1;

    /// <summary>What is masked together: single word pieces (BERT's first release) or every piece of a chosen word.</summary>
    public MaskingUnit Masking { get; init; } = MaskingUnit.Piece;

    /// <summary>The seed of everything random in the data: split, instances, shuffling and masks.</summary>
    public ulong Seed { get; init; } = 12345;

    /// <summary>
    /// The options with masked-LM prediction at <paramref name="rate"/>: the cap on predictions grows with it
    /// (ceil(rate × sequence length), never below BERT's 20), so a higher rate is not cut off at 20 per sequence.
    /// </summary>
    public PretrainingDataOptions WithMaskRate(double rate) => this with
    {
        MaskedLmProbability = rate,
        MaxPredictionsPerSequence = Math.Max(BertMaxPredictionsPerSequence, (int)Math.Ceiling(rate * MaxSequenceLength)),
    };

    /// <summary>Tokens left for A and B once [CLS], [SEP], [SEP] are counted.</summary>
    public int MaxPairTokens => MaxSequenceLength - 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible value.</summary>
    public void Validate()
    {
        if (MaxSequenceLength < 5)
        {
            throw new ArgumentException($"MaxSequenceLength = {MaxSequenceLength}; it must be at least 5 ([CLS] A [SEP] B [SEP] with A and B of 1+ tokens).");
        }
        CheckProbability(ShortSequenceProbability, nameof(ShortSequenceProbability));
        CheckProbability(RandomNextProbability, nameof(RandomNextProbability));
        CheckProbability(MaskedLmProbability, nameof(MaskedLmProbability));
        CheckProbability(MaskTokenProbability, nameof(MaskTokenProbability));
        CheckProbability(RandomTokenProbability, nameof(RandomTokenProbability));
        if (MaskTokenProbability + RandomTokenProbability > 1)
        {
            throw new ArgumentException($"MaskTokenProbability + RandomTokenProbability = {MaskTokenProbability + RandomTokenProbability}; it must be at most 1.");
        }
        if (MaxPredictionsPerSequence < 1)
        {
            throw new ArgumentException($"MaxPredictionsPerSequence = {MaxPredictionsPerSequence}; it must be at least 1.");
        }
    }

    private static void CheckProbability(double value, string name)
    {
        if (value is < 0 or > 1 || double.IsNaN(value))
        {
            throw new ArgumentException($"{name} = {value}; it must lie in [0, 1].");
        }
    }
}

/// <summary>The unit of masked-LM masking.</summary>
internal enum MaskingUnit
{
    /// <summary>Word pieces are chosen one by one: "cis ##platin" may show "cis [MASK]", which the first piece nearly gives away.</summary>
    Piece,

    /// <summary>Whole words: all pieces of a chosen word are predicted, and masked, replaced or kept together (the 80/10/10 rule per word).</summary>
    WholeWord,
}

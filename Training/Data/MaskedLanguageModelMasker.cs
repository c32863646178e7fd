namespace MiniBioBert.Training.Data;

/// <summary>
/// Chooses and corrupts the tokens to predict in one sequence, as BERT does: among the tokens that are not
/// [CLS], [SEP], [PAD] or [MASK], round(15 %) are chosen uniformly (at least 1, at most
/// <c>MaxPredictionsPerSequence</c>); each chosen token becomes [MASK] with probability 0.8, a random token with
/// probability 0.1, and stays unchanged otherwise. Random tokens are drawn uniformly from the vocabulary minus
/// the five special tokens ([PAD], [UNK], [CLS], [SEP], [MASK]); BERT's [unusedN] entries can be drawn, as in BERT.
/// </summary>
internal sealed class MaskedLanguageModelMasker
{
    private readonly PretrainingDataOptions _options;
    private readonly SpecialTokenIds _specials;
    private readonly int[] _sortedSpecialIds;

    public MaskedLanguageModelMasker(PretrainingDataOptions options, SpecialTokenIds specials)
    {
        _options = options;
        _specials = specials;
        _sortedSpecialIds = specials.SortedDistinct();
    }

    /// <summary>How many of <paramref name="candidateCount"/> maskable tokens are predicted.</summary>
    public int PredictionCount(int candidateCount) => candidateCount == 0
        ? 0
        : Math.Min(_options.MaxPredictionsPerSequence,
            Math.Max(1, (int)Math.Round(candidateCount * _options.MaskedLmProbability, MidpointRounding.ToEven)));

    /// <summary>
    /// Masks <paramref name="sequence"/> in place and writes the chosen positions, ascending, to
    /// <paramref name="positions"/> and their original tokens to <paramref name="labels"/>; returns how many.
    /// Both spans must hold at least <c>MaxPredictionsPerSequence</c> entries.
    /// </summary>
    public int Mask(Span<int> sequence, Span<int> positions, Span<int> labels, ref DeterministicRandom random)
    {
        Span<int> candidates = sequence.Length <= 1024 ? stackalloc int[sequence.Length] : new int[sequence.Length];
        var candidateCount = 0;
        for (var t = 0; t < sequence.Length; t++)
        {
            if (!_specials.IsStructural(sequence[t]))
            {
                candidates[candidateCount++] = t;
            }
        }
        var count = PredictionCount(candidateCount);
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(candidateCount - i);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        var chosen = candidates[..count];
        chosen.Sort();
        for (var i = 0; i < count; i++)
        {
            var t = chosen[i];
            positions[i] = t;
            labels[i] = sequence[t];
            var u = random.NextDouble();
            if (u < _options.MaskTokenProbability)
            {
                sequence[t] = _specials.Mask;
            }
            else if (u < _options.MaskTokenProbability + _options.RandomTokenProbability)
            {
                sequence[t] = RandomNonSpecialToken(ref random);
            }
        }
        return count;
    }

    // Uniform over [0, VocabSize) minus the special ids: draw from a range that much shorter, then step over them.
    private int RandomNonSpecialToken(ref DeterministicRandom random)
    {
        var id = random.NextInt(_specials.VocabSize - _sortedSpecialIds.Length);
        foreach (var special in _sortedSpecialIds)
        {
            if (id >= special)
            {
                id++;
            }
        }
        return id;
    }
}

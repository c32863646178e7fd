namespace MiniBioBert.Training.Data;

/// <summary>
/// Chooses and corrupts the tokens to predict in one sequence, as BERT does: among the tokens that are not
/// [CLS], [SEP], [PAD] or [MASK], round(15 %) are chosen (at least 1, at most <c>MaxPredictionsPerSequence</c>); each
/// chosen token becomes [MASK] with probability 0.8, a random token with probability 0.1, and stays unchanged otherwise.
/// With <see cref="MaskingUnit.Piece"/> the tokens are chosen uniformly one by one; with <see cref="MaskingUnit.WholeWord"/>
/// whole words are chosen (a word is a piece and the "##" pieces after it) until the count is reached, and the
/// 80/10/10 draw is made once per word. Random tokens are drawn uniformly from the vocabulary minus the five special
/// tokens ([PAD], [UNK], [CLS], [SEP], [MASK]); BERT's [unusedN] entries can be drawn, as in BERT.
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
    public int Mask(Span<int> sequence, Span<int> positions, Span<int> labels, ref DeterministicRandom random) =>
        _options.Masking == MaskingUnit.WholeWord
            ? MaskWholeWords(sequence, positions, labels, ref random)
            : MaskPieces(sequence, positions, labels, ref random);

    private int MaskPieces(Span<int> sequence, Span<int> positions, Span<int> labels, ref DeterministicRandom random)
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
            Corrupt(sequence, t, random.NextDouble(), ref random);
        }
        return count;
    }

    private int MaskWholeWords(Span<int> sequence, Span<int> positions, Span<int> labels, ref DeterministicRandom random)
    {
        var continuesWord = _specials.ContinuesWord
            ?? throw new InvalidOperationException("Whole-word masking needs a vocabulary that marks its continuation pieces (\"##\").");

        // Words: runs [start, start + length) of maskable pieces, each after the first continuing the word.
        Span<int> wordStarts = sequence.Length <= 1024 ? stackalloc int[sequence.Length] : new int[sequence.Length];
        Span<int> wordLengths = sequence.Length <= 1024 ? stackalloc int[sequence.Length] : new int[sequence.Length];
        int wordCount = 0, pieceCount = 0;
        for (var t = 0; t < sequence.Length; t++)
        {
            if (_specials.IsStructural(sequence[t]))
            {
                continue;
            }
            pieceCount++;
            bool continues = wordCount > 0 && continuesWord[sequence[t]] && wordStarts[wordCount - 1] + wordLengths[wordCount - 1] == t;
            if (continues)
            {
                wordLengths[wordCount - 1]++;
            }
            else
            {
                (wordStarts[wordCount], wordLengths[wordCount]) = (t, 1);
                wordCount++;
            }
        }

        // Words in random order, taken while their pieces fit the count (the first one always, if it fits the cap).
        var target = PredictionCount(pieceCount);
        Span<int> order = sequence.Length <= 1024 ? stackalloc int[wordCount] : new int[wordCount];
        for (var w = 0; w < wordCount; w++)
        {
            order[w] = w;
        }
        random.Shuffle(order);
        int chosenWords = 0, chosenPieces = 0;
        foreach (var w in order)
        {
            int limit = chosenWords == 0 ? _options.MaxPredictionsPerSequence : target;
            if (chosenPieces + wordLengths[w] <= limit)
            {
                order[chosenWords++] = w;
                chosenPieces += wordLengths[w];
            }
            if (chosenPieces >= target)
            {
                break;
            }
        }
        var chosen = order[..chosenWords];
        chosen.Sort();

        // One 80/10/10 draw per word, applied to each of its pieces.
        var count = 0;
        foreach (var w in chosen)
        {
            var u = random.NextDouble();
            for (var t = wordStarts[w]; t < wordStarts[w] + wordLengths[w]; t++)
            {
                positions[count] = t;
                labels[count++] = sequence[t];
                Corrupt(sequence, t, u, ref random);
            }
        }
        return count;
    }

    // [MASK] when u < 0.8, a random token when u < 0.9, else unchanged (with the default probabilities).
    private void Corrupt(Span<int> sequence, int t, double u, ref DeterministicRandom random)
    {
        if (u < _options.MaskTokenProbability)
        {
            sequence[t] = _specials.Mask;
        }
        else if (u < _options.MaskTokenProbability + _options.RandomTokenProbability)
        {
            sequence[t] = RandomNonSpecialToken(ref random);
        }
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

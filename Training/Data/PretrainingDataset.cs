namespace MiniBioBert.Training.Data;

/// <summary>
/// Everything pretraining needs from the data, in one place: the tokenized corpus (cached), the held-out split,
/// the training batch source and the fixed evaluation batches over the held-out documents.
/// </summary>
internal sealed class PretrainingDataset
{
    private readonly Lazy<MostFrequentTokenBaseline> _baseline;

    private PretrainingDataset(CorpusLoadResult load, CorpusSplit split, PretrainingBatchSource training, PretrainingEpoch evaluation, SpecialTokenIds specials)
    {
        Load = load;
        Split = split;
        Training = training;
        Evaluation = evaluation;
        Specials = specials;
        _baseline = new Lazy<MostFrequentTokenBaseline>(
            () => MostFrequentTokenBaseline.Compute(load.Corpus, split.TrainingDocuments, specials, evaluation));
    }

    /// <summary>How the corpus was loaded (counts, cache hit, time).</summary>
    public CorpusLoadResult Load { get; }

    /// <summary>The tokenized corpus.</summary>
    public TokenizedCorpus Corpus => Load.Corpus;

    /// <summary>Training and held-out documents.</summary>
    public CorpusSplit Split { get; }

    /// <summary>Training batches (dynamic masking, resumable).</summary>
    public PretrainingBatchSource Training { get; }

    /// <summary>The special token ids of the vocabulary.</summary>
    public SpecialTokenIds Specials { get; }

    /// <summary>Held-out batches with fixed masks.</summary>
    public PretrainingEpoch Evaluation { get; }

    /// <summary>The most-frequent-token masked-LM baseline on <see cref="Evaluation"/> (computed on first use).</summary>
    public MostFrequentTokenBaseline Baseline => _baseline.Value;

    /// <summary>
    /// Training batches of the same documents, seed and masking as <see cref="Training"/>, but of
    /// <paramref name="sequenceLength"/> tokens, <paramref name="batchSize"/> to a batch (a sequence-length schedule's short phase).
    /// </summary>
    public PretrainingBatchSource TrainingOfLength(int sequenceLength, int batchSize)
    {
        var options = Training.Options with { MaxSequenceLength = sequenceLength };
        return new PretrainingBatchSource(Corpus, Split.TrainingDocuments, Specials, options.WithMaskRate(options.MaskedLmProbability), batchSize);
    }

    /// <summary>
    /// Loads (or tokenizes and caches in <paramref name="cacheDirectory"/>; null disables the cache) the corpora,
    /// holds out <paramref name="heldOutFraction"/> of the documents (of each source file: <see cref="CorpusSplit.Segments(TokenizedCorpus)"/>),
    /// and sets up training batches (masked as <paramref name="options"/> say) and evaluation batches (masking <paramref name="evaluationMasking"/> at BERT's rate of 0.15, whatever the training rate).
    /// </summary>
    public static PretrainingDataset Open(
        IReadOnlyList<CorpusSource> sources, CorpusTokenizer tokenizer, PretrainingDataOptions options, int batchSize,
        string? cacheDirectory, double heldOutFraction = 0.02, Action<string>? log = null, MaskingUnit evaluationMasking = MaskingUnit.Piece)
    {
        options.Validate();
        var load = TokenizedCorpusCache.LoadOrBuild(sources, tokenizer, cacheDirectory, log);
        var split = CorpusSplit.Create(CorpusSplit.Segments(load.Corpus), heldOutFraction, options.Seed);
        var training = new PretrainingBatchSource(load.Corpus, split.TrainingDocuments, tokenizer.Specials, options, batchSize);
        var evaluation = PretrainingBatchSource.CreateEvaluation(load.Corpus, split.HeldOutDocuments, tokenizer.Specials,
            options.WithMaskRate(PretrainingDataOptions.BertMaskedLmProbability) with { Masking = evaluationMasking }, batchSize);
        log?.Invoke($"Split: {split.TrainingDocuments.Count:N0} training documents, {split.HeldOutDocuments.Count:N0} held out " +
            $"({evaluation.BatchCount} evaluation batches of up to {batchSize}).");
        return new PretrainingDataset(load, split, training, evaluation, tokenizer.Specials);
    }
}

namespace MiniBioBert.Training.Data;

/// <summary>
/// The training batches, epoch after epoch, with dynamic masking: each epoch builds new segment pairs from
/// (seed, epoch), shuffles them, masks them anew, and drops its last partial batch so every batch has
/// <see cref="BatchSize"/> rows. Everything is a pure function of the seed and the <see cref="DataCursor"/>.
/// </summary>
internal sealed class PretrainingBatchSource
{
    private readonly TokenizedCorpus _corpus;
    private readonly IReadOnlyList<int> _documents;
    private readonly SpecialTokenIds _specials;
    private readonly Lock _lock = new();
    private PretrainingEpoch? _current;

    /// <summary>Batches of <paramref name="batchSize"/> sequences built from <paramref name="documents"/> (e.g. the training split).</summary>
    public PretrainingBatchSource(
        TokenizedCorpus corpus, IReadOnlyList<int> documents, SpecialTokenIds specials, PretrainingDataOptions options, int batchSize)
    {
        options.Validate();
        specials.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _corpus = corpus;
        _documents = documents;
        _specials = specials;
        Options = options;
        BatchSize = batchSize;
    }

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The example-creation and masking options (their <c>Seed</c> drives everything).</summary>
    public PretrainingDataOptions Options { get; }

    /// <summary>The instances and batches of <paramref name="epoch"/> (the last epoch asked for is kept).</summary>
    public PretrainingEpoch GetEpoch(int epoch)
    {
        lock (_lock)
        {
            if (_current?.Epoch != epoch)
            {
                _current = PretrainingEpoch.Create(
                    _corpus, _documents, _specials, Options, BatchSize, epoch, Options.Seed, shuffle: true, dropLast: true);
            }
            return _current;
        }
    }

    /// <summary>Number of batches in <paramref name="epoch"/> (it varies slightly from epoch to epoch).</summary>
    public int BatchesPerEpoch(int epoch) => GetEpoch(epoch).BatchCount;

    /// <summary>The endless stream of batches from <paramref name="start"/> on; a cursor past an epoch's end means the next epoch.</summary>
    public IEnumerable<PositionedBatch> Read(DataCursor start)
    {
        var epoch = start.Epoch;
        var batchIndex = start.BatchIndex;
        while (true)
        {
            var current = GetEpoch(epoch);
            if (current.BatchCount == 0)
            {
                throw new InvalidOperationException($"Epoch {epoch} has fewer instances than one batch of {BatchSize}; use a smaller batch or a bigger corpus.");
            }
            for (; batchIndex < current.BatchCount; batchIndex++)
            {
                var next = batchIndex + 1 < current.BatchCount ? new DataCursor(epoch, batchIndex + 1) : new DataCursor(epoch + 1, 0);
                yield return new PositionedBatch(new DataCursor(epoch, batchIndex), next, current.GetBatch(batchIndex));
            }
            epoch++;
            batchIndex = 0;
        }
    }

    /// <summary>
    /// The evaluation batches of <paramref name="documents"/> (e.g. the held-out split): built once from the fixed
    /// <paramref name="evaluationSeed"/>, unshuffled, with the last partial batch kept, so every evaluation sees the same masks.
    /// </summary>
    public static PretrainingEpoch CreateEvaluation(
        TokenizedCorpus corpus, IReadOnlyList<int> documents, SpecialTokenIds specials, PretrainingDataOptions options,
        int batchSize, ulong evaluationSeed = 20240601)
    {
        options.Validate();
        return PretrainingEpoch.Create(corpus, documents, specials, options, batchSize, 0, evaluationSeed, shuffle: false, dropLast: false);
    }
}

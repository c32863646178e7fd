namespace MiniBioBert.Training.Data;

/// <summary>What a <see cref="CorpusSplit"/> holds out: the fraction of each segment's documents and the seed.</summary>
internal readonly record struct HeldOutDocuments(double Fraction, ulong Seed);

/// <summary>
/// A split of a corpus's documents into training and held-out documents. The held-out documents are a seeded
/// random sample of round(fraction × count) documents; they are never used to build training examples
/// (not even as the random "next sentence").
/// </summary>
internal sealed class CorpusSplit
{
    private CorpusSplit(int[] training, int[] heldOut)
    {
        TrainingDocuments = training;
        HeldOutDocuments = heldOut;
    }

    /// <summary>Indices of the training documents, ascending.</summary>
    public IReadOnlyList<int> TrainingDocuments { get; }

    /// <summary>Indices of the held-out documents, ascending.</summary>
    public IReadOnlyList<int> HeldOutDocuments { get; }

    /// <summary>
    /// Splits <paramref name="documentCount"/> documents; the same count, fraction and seed always give the same split.
    /// At least one document is held out when the fraction is positive, and at least one is kept for training.
    /// </summary>
    public static CorpusSplit Create(int documentCount, double heldOutFraction = 0.02, ulong seed = 12345) =>
        Create([documentCount], heldOutFraction, seed);

    /// <summary>
    /// Splits documents that come in consecutive segments (<paramref name="segmentSizes"/>, in order), each segment on
    /// its own with its own random stream, so that adding a segment at the end leaves the held-out documents of the
    /// others as they were. One segment gives the split of <see cref="Create(int, double, ulong)"/>.
    /// </summary>
    public static CorpusSplit Create(IReadOnlyList<int> segmentSizes, double heldOutFraction = 0.02, ulong seed = 12345)
    {
        if (heldOutFraction is < 0 or >= 1 || double.IsNaN(heldOutFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "The held-out fraction must lie in [0, 1).");
        }
        var training = new List<int>();
        var heldOut = new List<int>();
        int offset = 0;
        for (int segment = 0; segment < segmentSizes.Count; segment++)
        {
            int count = segmentSizes[segment];
            ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(segmentSizes));
            var heldOutCount = (int)Math.Round(heldOutFraction * count, MidpointRounding.AwayFromZero);
            if (heldOutFraction > 0)
            {
                heldOutCount = Math.Clamp(heldOutCount, Math.Min(1, count - 1), Math.Max(0, count - 1));
            }
            var order = Enumerable.Range(offset, count).ToArray();
            var random = DeterministicRandom.Derive(seed, DataStreams.HeldOutSplit, index1: segment);
            random.Shuffle(order.AsSpan());
            heldOut.AddRange(order[..heldOutCount]);
            training.AddRange(order[heldOutCount..]);
            offset += count;
        }
        heldOut.Sort();
        training.Sort();
        return new CorpusSplit([.. training], [.. heldOut]);
    }

    /// <summary>
    /// The segments <paramref name="corpus"/> is split in: the runs of consecutive documents from one source file
    /// (the file name before the ':' of a document id), except that the two shared corpora of the first release
    /// (<see cref="DataPaths.PretrainCorpusRelative"/> and <see cref="DataPaths.PubMedExtraCorpusRelative"/>) form one
    /// segment together, as they were split before more corpora came: their held-out documents, and the figures
    /// measured on them, stay the same whatever is added after them.
    /// </summary>
    public static IReadOnlyList<int> Segments(TokenizedCorpus corpus) =>
        Segments(Enumerable.Range(0, corpus.DocumentCount).Select(corpus.DocumentId));

    /// <summary>The segments of documents with these ids, in order (see <see cref="Segments(TokenizedCorpus)"/>).</summary>
    public static IReadOnlyList<int> Segments(IEnumerable<string> documentIds)
    {
        string[] firstRelease = [Path.GetFileName(DataPaths.PretrainCorpusRelative), Path.GetFileName(DataPaths.PubMedExtraCorpusRelative)];
        var sizes = new List<int>();
        string? previousKey = null;
        foreach (string id in documentIds)
        {
            int colon = id.IndexOf(':');
            string source = colon < 0 ? id : id[..colon];
            string key = firstRelease.Contains(source) ? "first release" : source;
            if (key == previousKey)
            {
                sizes[^1]++;
            }
            else
            {
                sizes.Add(1);
                previousKey = key;
            }
        }
        return sizes;
    }
}

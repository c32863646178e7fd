namespace MiniBioBert.Training.Data;

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
    public static CorpusSplit Create(int documentCount, double heldOutFraction = 0.02, ulong seed = 12345)
    {
        if (heldOutFraction is < 0 or >= 1 || double.IsNaN(heldOutFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "The held-out fraction must lie in [0, 1).");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(documentCount);
        var heldOutCount = (int)Math.Round(heldOutFraction * documentCount, MidpointRounding.AwayFromZero);
        if (heldOutFraction > 0)
        {
            heldOutCount = Math.Clamp(heldOutCount, Math.Min(1, documentCount - 1), Math.Max(0, documentCount - 1));
        }
        var order = Enumerable.Range(0, documentCount).ToArray();
        var random = DeterministicRandom.Derive(seed, DataStreams.HeldOutSplit);
        random.Shuffle(order.AsSpan());
        var heldOut = order[..heldOutCount];
        var training = order[heldOutCount..];
        Array.Sort(heldOut);
        Array.Sort(training);
        return new CorpusSplit(training, heldOut);
    }
}

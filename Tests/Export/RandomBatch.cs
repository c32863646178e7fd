namespace MiniBioBert.Tests.Export;

/// <summary>Random ids, token types and a padding mask (zeros at the end of every other row) for parity tests.</summary>
internal sealed record RandomBatch(int BatchSize, int SequenceLength, int[] InputIds, int[] TokenTypeIds, int[] AttentionMask)
{
    public static RandomBatch Create(int batchSize, int sequenceLength, int vocabSize, int seed)
    {
        var random = new Random(seed);
        int rows = batchSize * sequenceLength;
        var ids = new int[rows];
        var types = new int[rows];
        var mask = new int[rows];
        for (int b = 0; b < batchSize; b++)
        {
            // Every odd row is padded: its last third (at least one token) is masked out; row 0 is never padded.
            int real = b % 2 == 1 ? Math.Max(1, sequenceLength - Math.Max(1, sequenceLength / 3)) : sequenceLength;
            int split = random.Next(1, sequenceLength + 1);
            for (int t = 0; t < sequenceLength; t++)
            {
                int i = b * sequenceLength + t;
                ids[i] = random.Next(vocabSize);
                types[i] = t < split ? 0 : 1;
                mask[i] = t < real ? 1 : 0;
            }
        }
        return new RandomBatch(batchSize, sequenceLength, ids, types, mask);
    }

    /// <summary>‖actual − expected‖₂ / ‖expected‖₂.</summary>
    public static double RelativeError(float[] actual, float[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            difference += d * d;
            norm += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }
}

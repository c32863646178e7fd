using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Inspection;

/// <summary>
/// Hugging Face's fill-mask pipeline: for each [MASK] in the text, the k most probable tokens under
/// softmax(MLM logits) at that position.
/// </summary>
internal static class FillMask
{
    /// <summary>Predictions for every [MASK] of <paramref name="text"/>, in text order.</summary>
    /// <exception cref="ArgumentException">The text has no [MASK], or <paramref name="topK"/> is below 1.</exception>
    public static IReadOnlyList<MaskPrediction> Predict(InspectedCheckpoint checkpoint, string text, int topK = 5)
    {
        if (topK < 1)
        {
            throw new ArgumentException($"top-k must be at least 1, not {topK}.", nameof(topK));
        }
        var input = checkpoint.Encode(text);
        int maskId = checkpoint.Tokenizer.Vocabulary.MaskId;
        int[] positions = [.. Enumerable.Range(0, input.InputIds.Length).Where(i => input.InputIds[i] == maskId)];
        if (positions.Length == 0)
        {
            throw new ArgumentException($"The text has no [MASK] token to fill (after truncation to {checkpoint.Model.Config.MaxPositionEmbeddings} tokens): \"{InputText.Quote(text)}\".", nameof(text));
        }

        var sequenceOutput = checkpoint.RunEncoder(input);                        // [1, T, H]
        float[] logits;
        using (GradMode.NoGrad())
        {
            logits = checkpoint.Model.MlmHead.Forward(sequenceOutput, positions).ToArray(); // [M, V]
        }

        int vocabSize = checkpoint.Model.Config.VocabSize;
        int candidateCount = Math.Min(topK, checkpoint.Tokenizer.Vocabulary.Count);
        var predictions = new MaskPrediction[positions.Length];
        for (int m = 0; m < positions.Length; m++)
        {
            var probabilities = Softmax(logits.AsSpan(m * vocabSize, vocabSize));
            var candidates = Enumerable.Range(0, checkpoint.Tokenizer.Vocabulary.Count)
                .OrderByDescending(id => probabilities[id])
                .ThenBy(id => id)
                .Take(candidateCount)
                .Select(id => Candidate(checkpoint, input.InputIds, positions[m], id, probabilities[id]))
                .ToArray();
            predictions[m] = new MaskPrediction(positions[m], candidates);
        }
        return predictions;
    }

    /// <summary>softmax(logits) in double precision: exp(z − max) / Σ exp(z − max).</summary>
    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float z in logits)
        {
            max = Math.Max(max, z);
        }
        var probabilities = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] = Math.Exp(logits[i] - max);
            sum += probabilities[i];
        }
        for (int i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] /= sum;
        }
        return probabilities;
    }

    private static TokenPrediction Candidate(InspectedCheckpoint checkpoint, int[] inputIds, int position, int tokenId, double probability)
    {
        // The text between [CLS] and [SEP], with this mask filled in and any other mask left visible.
        var filled = inputIds[1..^1];
        filled[position - 1] = tokenId;
        string sequence = checkpoint.Tokenizer.Decode(filled, skipSpecialTokens: false);
        return new TokenPrediction(tokenId, checkpoint.Tokenizer.Vocabulary.GetToken(tokenId), probability, sequence);
    }
}

namespace MiniBioBert.Training.Data;

/// <summary>
/// The masked-LM accuracy of always predicting one token: the most frequent maskable token of the training
/// documents (masked positions are drawn uniformly over maskable tokens, so this is the most frequent masked label
/// in expectation), scored on the masked positions of the evaluation batches. A trained model must beat it.
/// </summary>
internal sealed record MostFrequentTokenBaseline(int TokenId, double Accuracy, int Correct, int Predictions)
{
    /// <summary>Counts the training tokens (ignoring [PAD], [CLS], [SEP], [MASK]) and scores the winner on <paramref name="evaluation"/>.</summary>
    public static MostFrequentTokenBaseline Compute(
        TokenizedCorpus corpus, IReadOnlyList<int> trainingDocuments, SpecialTokenIds specials, PretrainingEpoch evaluation)
    {
        var counts = new long[specials.VocabSize];
        foreach (var document in trainingDocuments)
        {
            var start = corpus.SentenceStart(corpus.FirstSentence(document));
            var end = corpus.SentenceStart(corpus.FirstSentence(document + 1));
            foreach (var id in corpus.TokenIds[start..end])
            {
                counts[id]++;
            }
        }
        var best = -1;
        for (var id = 0; id < counts.Length; id++)
        {
            if (!specials.IsStructural(id) && (best < 0 || counts[id] > counts[best]))
            {
                best = id;
            }
        }
        var correct = 0;
        var predictions = 0;
        foreach (var batch in evaluation.Batches())
        {
            predictions += batch.MaskedLabels.Length;
            correct += batch.MaskedLabels.Count(label => label == best);
        }
        return new MostFrequentTokenBaseline(best, predictions == 0 ? 0 : (double)correct / predictions, correct, predictions);
    }
}

using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Downstream;

/// <summary>An answer string and the probability the model gives it.</summary>
internal sealed record RankedAnswer(string Text, double Probability);

/// <summary>
/// From span logits to ranked answers, as BERT's SQuAD code and BioBERT's BioASQ conversion do. In each window the
/// <see cref="QaOptions.NBest"/> best start and end positions are paired: a span must lie in the context, end at or
/// after its start, be at most <see cref="QaOptions.MaxAnswerLength"/> pieces long, and start where the window has the
/// most context; its score is start logit + end logit. A pair keeps its <see cref="QaOptions.NBest"/> best distinct
/// answers (the original context text from the first word's first character to the last word's last character) with
/// probabilities from a softmax over their scores. A question gathers the answers of all its pairs (snippets), keeps
/// each text once (case-insensitive, with its highest probability) and ranks them.
/// </summary>
internal static class SpanDecoder
{
    /// <summary>
    /// The n-best answers of one pair from its windows. <paramref name="startLogits"/>[f] and <paramref name="endLogits"/>[f]
    /// are the logits of <paramref name="features"/>[f] over its positions.
    /// </summary>
    public static List<RankedAnswer> PairAnswers(QaPair pair, IReadOnlyList<QaFeature> features, IReadOnlyList<float[]> startLogits,
        IReadOnlyList<float[]> endLogits, QaOptions options)
    {
        var words = QaFeatureEncoder.Words(pair.Context);
        var candidates = new List<(string Text, double Score)>();
        for (int f = 0; f < features.Count; f++)
        {
            var feature = features[f];
            float[] starts = startLogits[f], ends = endLogits[f];
            foreach (int i in Best(starts, feature, options.NBest))
            {
                foreach (int j in Best(ends, feature, options.NBest))
                {
                    if (j < i || j - i + 1 > options.MaxAnswerLength || !feature.MaxContext[i])
                    {
                        continue;
                    }
                    candidates.Add((Text(pair.Context, words, feature.Words[i], feature.Words[j]), (double)starts[i] + ends[j]));
                }
            }
        }
        var kept = candidates.OrderByDescending(c => c.Score).DistinctBy(c => c.Text, StringComparer.Ordinal).Take(options.NBest).ToList();
        if (kept.Count == 0)
        {
            return [];
        }
        double max = kept[0].Score;
        double total = kept.Sum(c => Math.Exp(c.Score - max));
        return [.. kept.Select(c => new RankedAnswer(c.Text, Math.Exp(c.Score - max) / total))];
    }

    /// <summary>The best <paramref name="count"/> answers of a question from the answers of its pairs.</summary>
    public static List<RankedAnswer> QuestionAnswers(IEnumerable<RankedAnswer> pairAnswers, int count) =>
        [.. pairAnswers.GroupBy(a => a.Text.Trim(), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.MaxBy(a => a.Probability)!)
            .OrderByDescending(a => a.Probability)
            .Take(count)];

    /// <summary>The <paramref name="count"/> context positions with the largest logits, best first.</summary>
    private static IEnumerable<int> Best(float[] logits, QaFeature feature, int count) =>
        Enumerable.Range(0, logits.Length).Where(p => feature.Words[p] >= 0).OrderByDescending(p => logits[p]).Take(count);

    private static string Text(string context, List<WordSpan> words, int firstWord, int lastWord) =>
        context[words[firstWord].Start..words[lastWord].End];
}

using System.Globalization;
using System.Text;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Entity-level evaluation as conlleval does it: entities come from <see cref="ConllChunker"/>; a predicted entity
/// is correct when a gold entity has the same span (start and end) and type. Precision, recall and F1 per type and
/// micro-averaged over all entities.
/// </summary>
internal static class ConllEvaluator
{
    /// <summary>Scores sentence-aligned gold and predicted tag sequences (same lengths).</summary>
    /// <exception cref="InvalidDataException">There is no sentence or no token to score: a score over nothing is not given.</exception>
    public static NerScores Evaluate(IReadOnlyList<string[]> goldTags, IReadOnlyList<string[]> predictedTags)
    {
        if (goldTags.Count == 0 || goldTags.All(tags => tags.Length == 0))
        {
            throw new InvalidDataException(
                $"The NER evaluation set is empty ({goldTags.Count} sentences, no tokens); an entity F1 over no tokens would mean nothing.");
        }
        if (goldTags.Count != predictedTags.Count)
        {
            throw new ArgumentException($"{goldTags.Count} gold sentences but {predictedTags.Count} predicted ones.");
        }
        var counts = new SortedDictionary<string, (int Gold, int Predicted, int Correct)>(StringComparer.Ordinal);
        int tokens = 0, correctTokens = 0;
        for (int s = 0; s < goldTags.Count; s++)
        {
            var gold = goldTags[s];
            var predicted = predictedTags[s];
            if (gold.Length != predicted.Length)
            {
                throw new ArgumentException($"Sentence {s}: {gold.Length} gold tags but {predicted.Length} predicted ones.");
            }
            tokens += gold.Length;
            correctTokens += gold.Where((tag, i) => tag == predicted[i]).Count();

            var goldChunks = ConllChunker.Chunks(gold);
            var predictedChunks = ConllChunker.Chunks(predicted);
            var goldSet = goldChunks.ToHashSet();
            foreach (var chunk in goldChunks)
            {
                Update(chunk.Type, gold: 1);
            }
            foreach (var chunk in predictedChunks)
            {
                Update(chunk.Type, predicted: 1, correct: goldSet.Contains(chunk) ? 1 : 0);
            }
        }
        var perType = counts.Select(c => new F1Score(c.Key, c.Value.Gold, c.Value.Predicted, c.Value.Correct)).ToList();
        var micro = new F1Score("ALL", perType.Sum(t => t.Gold), perType.Sum(t => t.Predicted), perType.Sum(t => t.Correct));
        return new NerScores(perType, micro, tokens, correctTokens);

        void Update(string type, int gold = 0, int predicted = 0, int correct = 0)
        {
            var (g, p, c) = counts.GetValueOrDefault(type);
            counts[type] = (g + gold, p + predicted, c + correct);
        }
    }

    /// <summary>A conlleval-like text report (percentages).</summary>
    public static string Format(NerScores scores, string title)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{title}: {scores.Tokens} tokens, {scores.Micro.Gold} gold entities, {scores.Micro.Predicted} found, {scores.Micro.Correct} correct; token accuracy {100 * scores.TokenAccuracy:F2}%");
        foreach (var score in scores.PerType.Append(scores.Micro))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {score.Name,-12} precision {100 * score.Precision,6:F2}%  recall {100 * score.Recall,6:F2}%  F1 {100 * score.F1,6:F2}  ({score.Predicted} found, {score.Gold} gold)");
        }
        return text.ToString();
    }
}

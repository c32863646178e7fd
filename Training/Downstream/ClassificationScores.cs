using System.Globalization;
using System.Text;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Sentence classification scores. Per label: precision, recall and F1 of the yes/no decision "has this label".
/// Accuracy is the fraction of sentences whose predicted label set equals the gold one (for single-label tasks
/// plain accuracy, for multi-label tasks subset accuracy). Macro F1 is the mean of the per-label F1s; micro F1 pools
/// the counts of all labels (equal to accuracy for single-label tasks).
/// </summary>
internal sealed record ClassificationScores(IReadOnlyList<F1Score> PerLabel, F1Score Micro, int Examples, int ExactMatches)
{
    public double Accuracy => Examples == 0 ? 0 : (double)ExactMatches / Examples;

    public double MacroF1 => PerLabel.Count == 0 ? 0 : PerLabel.Average(s => s.F1);

    /// <summary>Scores gold and predicted label sets (each a bool per label) of the same sentences.</summary>
    /// <exception cref="InvalidDataException">There is no sentence or no label to score: a score over nothing is not given.</exception>
    public static ClassificationScores Evaluate(IReadOnlyList<string> labels, IReadOnlyList<bool[]> gold, IReadOnlyList<bool[]> predicted)
    {
        if (gold.Count == 0 || labels.Count == 0)
        {
            throw new InvalidDataException(
                $"The classification evaluation set is empty ({gold.Count} sentences, {labels.Count} labels); accuracy and F1 over nothing would mean nothing.");
        }
        if (gold.Count != predicted.Count)
        {
            throw new ArgumentException($"{gold.Count} gold label sets but {predicted.Count} predicted ones.");
        }
        var perLabel = new List<F1Score>();
        for (int l = 0; l < labels.Count; l++)
        {
            int goldCount = gold.Count(g => g[l]);
            int predictedCount = predicted.Count(p => p[l]);
            int correct = gold.Where((g, i) => g[l] && predicted[i][l]).Count();
            perLabel.Add(new F1Score(labels[l], goldCount, predictedCount, correct));
        }
        var micro = new F1Score("ALL", perLabel.Sum(s => s.Gold), perLabel.Sum(s => s.Predicted), perLabel.Sum(s => s.Correct));
        int exact = gold.Where((g, i) => g.AsSpan().SequenceEqual(predicted[i])).Count();
        return new ClassificationScores(perLabel, micro, gold.Count, exact);
    }

    /// <summary>A text report (percentages).</summary>
    public string Format(string title)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{title}: {Examples} sentences; accuracy {100 * Accuracy:F2}%, macro F1 {100 * MacroF1:F2}, micro F1 {100 * Micro.F1:F2}");
        foreach (var score in PerLabel)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {score.Name,-40} precision {100 * score.Precision,6:F2}%  recall {100 * score.Recall,6:F2}%  F1 {100 * score.F1,6:F2}  ({score.Predicted} predicted, {score.Gold} gold)");
        }
        return text.ToString();
    }
}

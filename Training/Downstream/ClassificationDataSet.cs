using MiniBioBert.Engine.IO;
using MiniBioBert.Model.Downstream;

namespace MiniBioBert.Training.Downstream;

/// <summary>A sentence classification task: its kind, its label names (id order) and its three splits.</summary>
internal sealed record ClassificationDataSet(string Name, FineTuningTask Task, string[] Labels,
    List<LabeledSentence> Train, List<LabeledSentence> Devel, List<LabeledSentence> Test)
{
    public const string Piboso = "nicta-piboso";
    public const string Hoc = "hoc";
    public const string PubMedQa = "pubmedqa";

    /// <summary>Loads a task by name from the shared data folder (<paramref name="dataRoot"/>/classification/…).</summary>
    /// <exception cref="ArgumentException">The task is not <see cref="Piboso"/>, <see cref="Hoc"/> or <see cref="PubMedQa"/>.</exception>
    /// <exception cref="InvalidDataException">A file is not UTF-8 text, is malformed or empty, or a split is empty (file and line named).</exception>
    public static ClassificationDataSet Load(string task, string dataRoot, int? trainLimit = null, int? evalLimit = null)
    {
        var data = task switch
        {
            Piboso => PibosoReader.Load(Path.Combine(dataRoot, "classification", "nicta-piboso")),
            Hoc => HocReader.Load(Path.Combine(dataRoot, "classification", "hoc", "hoc_sentences.tsv")),
            PubMedQa => PubMedQaReader.Load(Path.Combine(dataRoot, "qa", "pubmedqa")),
            _ => throw new ArgumentException($"Unknown classification task '{InputText.Quote(task)}' (expected {Piboso}, {Hoc} or {PubMedQa})."),
        };
        var limited = data with
        {
            Train = Limit(data.Train, trainLimit),
            Devel = Limit(data.Devel, evalLimit),
            Test = Limit(data.Test, evalLimit),
        };
        limited.Validate();
        return limited;
    }

    /// <summary>
    /// Checks what training needs: labels, three non-empty splits, and every sentence's labels among
    /// <see cref="Labels"/> (exactly one for a single-label task).
    /// </summary>
    /// <exception cref="InvalidDataException">The first problem, naming the data set, the split and the sentence.</exception>
    public void Validate()
    {
        if (Labels.Length == 0)
        {
            throw new InvalidDataException($"The {Name} data set has no labels.");
        }
        var known = Labels.ToHashSet(StringComparer.Ordinal);
        foreach (var (split, sentences) in new[] { ("train", Train), ("devel", Devel), ("test", Test) })
        {
            if (sentences.Count == 0)
            {
                throw new InvalidDataException($"The {split} split of the {Name} data set has no sentences.");
            }
            for (int i = 0; i < sentences.Count; i++)
            {
                var sentence = sentences[i];
                if (Task == FineTuningTask.SingleLabelClassification && sentence.Labels.Length != 1)
                {
                    throw new InvalidDataException(
                        $"The {split} split of the {Name} data set: sentence {i + 1} (document {InputText.Quote(sentence.Document)}) has {sentence.Labels.Length} labels; a single-label task needs exactly one.");
                }
                if (sentence.Labels.FirstOrDefault(label => !known.Contains(label)) is { } unknown)
                {
                    throw new InvalidDataException(
                        $"The {split} split of the {Name} data set: sentence {i + 1} (document {InputText.Quote(sentence.Document)}) has the label '{InputText.Quote(unknown)}', which is not among the {Labels.Length} labels.");
                }
            }
        }
    }

    /// <summary>The label most training sentences carry (the first in label order on a tie).</summary>
    public string MajorityLabel => Labels.MaxBy(label => Train.Count(s => s.Labels.Contains(label)))!;

    /// <summary>The exact-match accuracy on test of predicting <see cref="MajorityLabel"/> alone for every sentence.</summary>
    public double MajorityTestAccuracy => (double)Test.Count(s => s.Labels is [var only] && only == MajorityLabel) / Test.Count;

    private static List<LabeledSentence> Limit(List<LabeledSentence> sentences, int? limit) =>
        limit is int n && n < sentences.Count ? sentences[..n] : sentences;
}

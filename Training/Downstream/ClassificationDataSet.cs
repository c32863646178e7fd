using MiniBioBert.Model.Downstream;

namespace MiniBioBert.Training.Downstream;

/// <summary>A sentence classification task: its kind, its label names (id order) and its three splits.</summary>
internal sealed record ClassificationDataSet(string Name, FineTuningTask Task, string[] Labels,
    List<LabeledSentence> Train, List<LabeledSentence> Devel, List<LabeledSentence> Test)
{
    public const string Piboso = "nicta-piboso";
    public const string Hoc = "hoc";

    /// <summary>Loads a task by name from the shared data folder (<paramref name="dataRoot"/>/classification/…).</summary>
    /// <exception cref="ArgumentException">The task is not <see cref="Piboso"/> or <see cref="Hoc"/>.</exception>
    public static ClassificationDataSet Load(string task, string dataRoot, int? trainLimit = null, int? evalLimit = null)
    {
        var data = task switch
        {
            Piboso => PibosoReader.Load(Path.Combine(dataRoot, "classification", "nicta-piboso")),
            Hoc => HocReader.Load(Path.Combine(dataRoot, "classification", "hoc", "hoc_sentences.tsv")),
            _ => throw new ArgumentException($"Unknown classification task '{task}' (expected {Piboso} or {Hoc})."),
        };
        return data with
        {
            Train = Limit(data.Train, trainLimit),
            Devel = Limit(data.Devel, evalLimit),
            Test = Limit(data.Test, evalLimit),
        };
    }

    private static List<LabeledSentence> Limit(List<LabeledSentence> sentences, int? limit) =>
        limit is int n && n < sentences.Count ? sentences[..n] : sentences;
}

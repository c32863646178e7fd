namespace MiniBioBert.Training.Downstream;

/// <summary>The three splits of an IOB data set folder (<c>train.tsv</c>, <c>devel.tsv</c>, <c>test.tsv</c>).</summary>
internal sealed record NerDataSet(List<TaggedSentence> Train, List<TaggedSentence> Devel, List<TaggedSentence> Test)
{
    /// <summary>Reads the folder; the limits keep only the first sentences of train / of devel and test.</summary>
    /// <exception cref="InvalidDataException">A file is malformed (file and line named).</exception>
    public static NerDataSet Load(string directory, int? trainLimit = null, int? evalLimit = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"NER data folder '{directory}' does not exist.");
        }
        List<TaggedSentence> Read(string name, int? limit)
        {
            var sentences = IobFile.Read(Path.Combine(directory, name));
            return limit is int n && n < sentences.Count ? sentences[..n] : sentences;
        }
        return new NerDataSet(Read("train.tsv", trainLimit), Read("devel.tsv", evalLimit), Read("test.tsv", evalLimit));
    }

    /// <summary>The labels of all three splits (see <see cref="IobFile.Labels"/>).</summary>
    public string[] Labels() => IobFile.Labels(Train.Concat(Devel).Concat(Test));
}

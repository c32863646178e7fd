using MiniBioBert.Model.Downstream;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// NICTA-PIBOSO sentence roles in the PubMed-RCT layout: a <c>###PMID</c> line opens each abstract, then one
/// <c>label&lt;TAB&gt;sentence</c> line per sentence, and a blank line after the abstract. Single-label.
/// Splits: <c>train_clean.txt</c>, <c>dev_clean.txt</c>, <c>test_clean.txt</c>.
/// </summary>
internal static class PibosoReader
{
    public static ClassificationDataSet Load(string directory)
    {
        var train = Read(Path.Combine(directory, "train_clean.txt"));
        var devel = Read(Path.Combine(directory, "dev_clean.txt"));
        var test = Read(Path.Combine(directory, "test_clean.txt"));
        string[] labels = [.. train.Concat(devel).Concat(test).Select(s => s.Labels[0]).Distinct().Order(StringComparer.Ordinal)];
        return new ClassificationDataSet(ClassificationDataSet.Piboso, FineTuningTask.SingleLabelClassification, labels, train, devel, test);
    }

    /// <exception cref="InvalidDataException">A sentence line without a label, or before the first <c>###</c> header.</exception>
    public static List<LabeledSentence> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"NICTA-PIBOSO file '{path}' does not exist.", path);
        }
        var sentences = new List<LabeledSentence>();
        string? document = null;
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("###", StringComparison.Ordinal))
            {
                document = line[3..];
                continue;
            }
            int tab = line.IndexOf('\t');
            if (document is null || tab <= 0 || tab == line.Length - 1)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected '###PMID' or 'label<TAB>sentence' after a header, found '{line}'.");
            }
            sentences.Add(new LabeledSentence(document, line[(tab + 1)..], [line[..tab]]));
        }
        return sentences;
    }
}

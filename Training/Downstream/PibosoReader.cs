using MiniBioBert.Engine.IO;
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

    /// <summary>The labeled sentences of one split (strict UTF-8, see <see cref="Utf8LineReader"/>).</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not UTF-8 text, has a sentence line without a label or before the first <c>###</c> header, or holds
    /// no labeled sentence (file and line named).
    /// </exception>
    public static List<LabeledSentence> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"NICTA-PIBOSO file '{path}' does not exist.", path);
        }
        var sentences = new List<LabeledSentence>();
        string? document = null;
        int lineNumber = 0;
        foreach (var line in Utf8LineReader.ReadLines(path, kind: "NICTA-PIBOSO file"))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
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
                string problem = document is null ? "before the first '###PMID' header"
                    : tab < 0 ? "without a tab" : tab == 0 ? "with an empty label" : "with an empty sentence";
                throw new InvalidDataException(
                    $"{path}, line {lineNumber}: expected '###PMID' or 'label<TAB>sentence', found a line {problem}: '{InputText.Quote(line)}'.");
            }
            sentences.Add(new LabeledSentence(document, line[(tab + 1)..], [line[..tab]]));
        }
        if (sentences.Count == 0)
        {
            throw new InvalidDataException(
                $"{path}: no labeled sentences: the file is empty or has only headers and blank lines ({lineNumber} lines); expected '###PMID' then 'label<TAB>sentence' lines.");
        }
        return sentences;
    }
}

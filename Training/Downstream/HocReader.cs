using MiniBioBert.Engine.IO;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Hallmarks of Cancer from <c>hoc_sentences.tsv</c> (<c>pmid, sent_idx, labels_raw, sentence</c>), multi-label.
/// <c>labels_raw</c> joins labels with <c>AND</c>; each label is a path joined with <c>--</c> whose first part is
/// the hallmark; the labels are the distinct hallmarks (<c>NULL</c> is dropped). There is no official split: each
/// abstract goes to test when FNV-1a(PMID) mod 10 = 0, to devel when it is 1, to train otherwise (≈ 80/10/10,
/// deterministic, and no abstract is split between sets).
/// </summary>
internal static class HocReader
{
    private const string Header = "pmid\tsent_idx\tlabels_raw\tsentence";

    /// <exception cref="InvalidDataException">See <see cref="Read"/>; also a split without sentences or a file without any hallmark.</exception>
    public static ClassificationDataSet Load(string path)
    {
        var sentences = Read(path);
        string[] labels = [.. sentences.SelectMany(s => s.Labels).Distinct().Order(StringComparer.Ordinal)];
        if (labels.Length == 0)
        {
            throw new InvalidDataException($"{path}: no sentence has a hallmark in the labels_raw column (all are empty or NULL); there is nothing to learn.");
        }
        List<LabeledSentence> Split(string name, Func<int, bool> inSplit, string rule)
        {
            List<LabeledSentence> split = [.. sentences.Where(s => inSplit(SplitBucket(s.Document)))];
            if (split.Count == 0)
            {
                throw new InvalidDataException(
                    $"{path}: the {name} split (abstracts whose FNV-1a(PMID) mod 10 {rule}) has no sentences; the file needs more abstracts (it has {sentences.Count} sentences of {sentences.Select(s => s.Document).Distinct().Count()} abstracts).");
            }
            return split;
        }
        return new ClassificationDataSet(ClassificationDataSet.Hoc, FineTuningTask.MultiLabelClassification, labels,
            Split("train", b => b >= 2, "is 2 to 9"), Split("devel", b => b == 1, "is 1"), Split("test", b => b == 0, "is 0"));
    }

    /// <summary>The sentences of <paramref name="path"/> (strict UTF-8, see <see cref="Utf8LineReader"/>).</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not UTF-8 text, has a wrong header or a line without four columns or without a PMID, or holds no
    /// sentence (file and line named).
    /// </exception>
    public static List<LabeledSentence> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"HoC file '{path}' does not exist.", path);
        }
        var sentences = new List<LabeledSentence>();
        int lineNumber = 0;
        foreach (var line in Utf8LineReader.ReadLines(path, kind: "HoC file"))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line != Header)
                {
                    throw new InvalidDataException(
                        $"{path}, line 1: expected the header '{InputText.Quote(Header)}', found '{InputText.Quote(line)}'.");
                }
                continue;
            }
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var columns = line.Split('\t');
            if (columns.Length != 4 || columns[0].Length == 0)
            {
                string found = columns.Length != 4 ? $"{columns.Length} column(s)" : "an empty pmid";
                throw new InvalidDataException(
                    $"{path}, line {lineNumber}: expected 4 tab-separated columns (pmid, sent_idx, labels_raw, sentence), found {found}: '{InputText.Quote(line)}'.");
            }
            sentences.Add(new LabeledSentence(columns[0], columns[3], Hallmarks(columns[2])));
        }
        if (sentences.Count == 0)
        {
            throw new InvalidDataException(
                lineNumber == 0 ? $"{path}: the file is empty; expected the header '{InputText.Quote(Header)}' and one line per sentence."
                    : $"{path}: no sentences after the header ({lineNumber} lines).");
        }
        return sentences;
    }

    /// <summary>The distinct top-level hallmarks of a <c>labels_raw</c> value, e.g. "A--x ANDB--y" → [A, B].</summary>
    public static string[] Hallmarks(string labelsRaw) =>
        [.. labelsRaw.Split("AND", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(label => label.Split("--")[0].Trim())
            .Where(hallmark => hallmark.Length > 0 && hallmark != "NULL")
            .Distinct()];

    /// <summary>0 … 9 from the 32-bit FNV-1a hash of the PMID's characters.</summary>
    public static int SplitBucket(string pmid) => (int)(Fnv1a.Hash(pmid) % 10);
}

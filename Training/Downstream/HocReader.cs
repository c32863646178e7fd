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

    public static ClassificationDataSet Load(string path)
    {
        var sentences = Read(path);
        string[] labels = [.. sentences.SelectMany(s => s.Labels).Distinct().Order(StringComparer.Ordinal)];
        List<LabeledSentence> Split(int bucket) => [.. sentences.Where(s => SplitBucket(s.Document) == bucket)];
        var train = sentences.Where(s => SplitBucket(s.Document) >= 2).ToList();
        return new ClassificationDataSet(ClassificationDataSet.Hoc, FineTuningTask.MultiLabelClassification, labels, train, Split(1), Split(0));
    }

    /// <exception cref="InvalidDataException">A wrong header or a line without four columns.</exception>
    public static List<LabeledSentence> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"HoC file '{path}' does not exist.", path);
        }
        var sentences = new List<LabeledSentence>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line != Header)
                {
                    throw new InvalidDataException($"{path}:1: expected the header '{Header.Replace("\t", "<TAB>", StringComparison.Ordinal)}'.");
                }
                continue;
            }
            var columns = line.Split('\t');
            if (columns.Length != 4 || columns[0].Length == 0)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected 4 tab-separated columns (pmid, sent_idx, labels_raw, sentence), found {columns.Length}.");
            }
            sentences.Add(new LabeledSentence(columns[0], columns[3], Hallmarks(columns[2])));
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

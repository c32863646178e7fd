using MiniBioBert.Engine.IO;
using System.Text;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// CoNLL-style IOB files: one <c>word&lt;TAB&gt;tag</c> line per token, a blank line after each sentence.
/// Reading checks every line: exactly two non-empty columns and a tag that is <c>O</c>, <c>B-X</c> or <c>I-X</c>.
/// </summary>
internal static class IobFile
{
    /// <summary>
    /// Reads the sentences of <paramref name="path"/> (strict UTF-8, see <see cref="Utf8LineReader"/>; a line of
    /// only spaces counts as blank).
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The file is not UTF-8 text, a line has the wrong number of columns or an unknown tag (file and line named), or
    /// the file holds no sentence.
    /// </exception>
    public static List<TaggedSentence> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IOB file '{path}' does not exist.", path);
        }
        var sentences = new List<TaggedSentence>();
        var words = new List<string>();
        var tags = new List<string>();
        int lineNumber = 0, firstLine = 0;
        foreach (var line in Utf8LineReader.ReadLines(path, kind: "IOB file"))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                Flush();
                continue;
            }
            var columns = line.Split('\t');
            if (columns.Length != 2 || columns[0].Length == 0)
            {
                string found = columns.Length != 2 ? $"{columns.Length} column(s)" : "an empty word";
                throw new InvalidDataException(
                    $"{path}, line {lineNumber}: expected 'word<TAB>tag', found {found}: '{InputText.Quote(line)}'.");
            }
            if (!IobTag.TryParse(columns[1], out _))
            {
                throw new InvalidDataException(
                    $"{path}, line {lineNumber}: unknown tag '{InputText.Quote(columns[1])}' in the tag column (expected O, B-<type> or I-<type>).");
            }
            if (words.Count == 0)
            {
                firstLine = lineNumber;
            }
            words.Add(columns[0]);
            tags.Add(columns[1]);
        }
        Flush();
        if (sentences.Count == 0)
        {
            throw new InvalidDataException(
                $"{path}: no sentences: the file is empty or has only blank lines ({lineNumber} lines); expected 'word<TAB>tag' lines.");
        }
        return sentences;

        void Flush()
        {
            if (words.Count > 0)
            {
                sentences.Add(new TaggedSentence([.. words], [.. tags], firstLine, path));
                words.Clear();
                tags.Clear();
            }
        }
    }

    /// <summary>
    /// Writes <c>word&lt;TAB&gt;gold&lt;TAB&gt;predicted</c> lines (the input format plus a predicted column, which
    /// is also what conlleval reads), a blank line after each sentence; atomically.
    /// </summary>
    public static void WritePredictions(string path, IReadOnlyList<TaggedSentence> sentences, IReadOnlyList<string[]> predictedTags)
    {
        var text = new StringBuilder();
        for (int s = 0; s < sentences.Count; s++)
        {
            var sentence = sentences[s];
            for (int w = 0; w < sentence.Words.Length; w++)
            {
                text.Append(sentence.Words[w]).Append('\t').Append(sentence.Tags[w]).Append('\t').Append(predictedTags[s][w]).Append('\n');
            }
            text.Append('\n');
        }
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The label list of a data set: <c>O</c> first, then per entity type (ordinal order) its B- and I- tags.</summary>
    public static string[] Labels(IEnumerable<TaggedSentence> sentences)
    {
        var types = sentences.SelectMany(s => s.Tags).Select(IobTag.Parse).Where(t => t.Prefix != 'O')
            .Select(t => t.Type).Distinct().Order(StringComparer.Ordinal);
        return [IobTag.Outside, .. types.SelectMany(type => new[] { "B-" + type, "I-" + type })];
    }
}

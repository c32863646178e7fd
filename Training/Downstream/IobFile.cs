using MiniBioBert.Engine.IO;
using System.Text;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// CoNLL-style IOB files: one <c>word&lt;TAB&gt;tag</c> line per token, a blank line after each sentence.
/// Reading checks every line: exactly two non-empty columns and a tag that is <c>O</c>, <c>B-X</c> or <c>I-X</c>.
/// </summary>
internal static class IobFile
{
    /// <summary>Reads the sentences of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">A line has the wrong number of columns or an unknown tag (file and line named).</exception>
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
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                Flush();
                continue;
            }
            var columns = line.Split('\t');
            if (columns.Length != 2 || columns[0].Length == 0)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected 'word<TAB>tag', found {columns.Length} column(s): '{line}'.");
            }
            if (!IobTag.TryParse(columns[1], out _))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: unknown tag '{columns[1]}' (expected O, B-<type> or I-<type>).");
            }
            if (words.Count == 0)
            {
                firstLine = lineNumber;
            }
            words.Add(columns[0]);
            tags.Add(columns[1]);
        }
        Flush();
        return sentences;

        void Flush()
        {
            if (words.Count > 0)
            {
                sentences.Add(new TaggedSentence([.. words], [.. tags], firstLine));
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

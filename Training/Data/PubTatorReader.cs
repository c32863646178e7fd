using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Data;

/// <summary>
/// Reads PubTator files: a document is the title (one sentence) followed by the abstract split into sentences
/// by <see cref="SentenceSplitter"/>. Tab-separated annotation and relation lines are ignored.
/// </summary>
internal static class PubTatorReader
{
    /// <summary>The documents of <paramref name="path"/> (plain or gzip), streamed; the id is "file:PMID".</summary>
    public static IEnumerable<CorpusDocument> Read(string path, int maxLineBytes = Utf8LineReader.DefaultMaxLineBytes)
    {
        using var reader = Utf8LineReader.Open(path, maxLineBytes, "Corpus file");
        var name = Path.GetFileName(path);
        string? pmid = null;
        var sentences = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length == 0 || line.Contains('\t'))
            {
                continue;
            }
            if (!TryParseTextLine(line, out var linePmid, out var text))
            {
                throw new InvalidDataException(
                    $"{path}: line {reader.LineNumber} is neither 'PMID|t|title', 'PMID|a|abstract' nor a tab-separated annotation.");
            }
            if (linePmid != pmid)
            {
                if (sentences.Count > 0)
                {
                    yield return new CorpusDocument($"{name}:{pmid}", sentences);
                    sentences = [];
                }
                pmid = linePmid;
            }
            sentences.AddRange(SentenceSplitter.Split(text));
        }
        if (sentences.Count > 0)
        {
            yield return new CorpusDocument($"{name}:{pmid}", sentences);
        }
    }

    /// <summary>True when <paramref name="line"/> is <c>PMID|t|text</c> or <c>PMID|a|text</c>.</summary>
    internal static bool TryParseTextLine(string line, out string pmid, out string text)
    {
        var bar = line.IndexOf('|');
        var isText = bar > 0 && line.Length >= bar + 3 && line[bar + 2] == '|' && line[bar + 1] is 't' or 'a';
        pmid = isText ? line[..bar].Trim() : "";
        text = isText ? line[(bar + 3)..] : "";
        return isText && pmid.Length > 0;
    }
}

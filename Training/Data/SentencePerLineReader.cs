using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Data;

/// <summary>Reads the one-sentence-per-line format: lines are trimmed, a blank line ends a document, empty documents are skipped.</summary>
internal static class SentencePerLineReader
{
    /// <summary>The documents of <paramref name="path"/> (plain or gzip), streamed; the id is "file:first line".</summary>
    public static IEnumerable<CorpusDocument> Read(string path, int maxLineBytes = Utf8LineReader.DefaultMaxLineBytes)
    {
        using var reader = Utf8LineReader.Open(path, maxLineBytes, "Corpus file");
        var name = Path.GetFileName(path);
        var sentences = new List<string>();
        long firstLine = 0;
        while (reader.ReadLine() is { } line)
        {
            var sentence = line.Trim();
            if (sentence.Length == 0)
            {
                if (sentences.Count > 0)
                {
                    yield return new CorpusDocument($"{name}:{firstLine}", sentences);
                    sentences = [];
                }
                continue;
            }
            if (sentences.Count == 0)
            {
                firstLine = reader.LineNumber;
            }
            sentences.Add(sentence);
        }
        if (sentences.Count > 0)
        {
            yield return new CorpusDocument($"{name}:{firstLine}", sentences);
        }
    }
}

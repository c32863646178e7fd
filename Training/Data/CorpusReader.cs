using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Data;

/// <summary>Reads the documents of one or more corpus files, in order, dispatching on each file's format.</summary>
internal static class CorpusReader
{
    /// <summary>
    /// The documents of every source, streamed file after file. A file that yields no document throws
    /// <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static IEnumerable<CorpusDocument> ReadDocuments(IEnumerable<CorpusSource> sources, int maxLineBytes = Utf8LineReader.DefaultMaxLineBytes)
    {
        foreach (var source in sources)
        {
            var format = source.Format == CorpusFormat.Auto ? DetectFormat(source.Path, maxLineBytes) : source.Format;
            var documents = format == CorpusFormat.PubTator
                ? PubTatorReader.Read(source.Path, maxLineBytes)
                : SentencePerLineReader.Read(source.Path, maxLineBytes);
            var count = 0;
            foreach (var document in documents)
            {
                count++;
                yield return document;
            }
            if (count == 0)
            {
                throw new InvalidDataException($"{source.Path}: the corpus file contains no documents (it is empty or has only blank lines).");
            }
        }
    }

    /// <summary>PubTator when the first non-blank line is <c>PMID|t|…</c> or <c>PMID|a|…</c>, else one sentence per line.</summary>
    public static CorpusFormat DetectFormat(string path, int maxLineBytes = Utf8LineReader.DefaultMaxLineBytes)
    {
        using var reader = Utf8LineReader.Open(path, maxLineBytes, "Corpus file");
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length > 0)
            {
                return PubTatorReader.TryParseTextLine(line, out _, out _) ? CorpusFormat.PubTator : CorpusFormat.SentencePerLine;
            }
        }
        return CorpusFormat.SentencePerLine;
    }
}

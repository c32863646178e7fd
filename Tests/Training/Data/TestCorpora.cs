using System.IO.Compression;
using System.Text;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

/// <summary>Synthetic corpora for the data tests: seeded random documents of "wN" words, written to temp files.</summary>
internal static class TestCorpora
{
    /// <summary>A fresh empty temp folder (deleted by <see cref="DeleteFolder"/>).</summary>
    public static string NewFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "minibiobert-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Documents of <paramref name="minSentences"/>–<paramref name="maxSentences"/> sentences of
    /// <paramref name="minWords"/>–<paramref name="maxWords"/> words drawn from w0 … w{vocabularyWords-1}.</summary>
    public static List<List<string>> RandomDocuments(
        int documents, int minSentences, int maxSentences, int minWords, int maxWords, int vocabularyWords, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var result = new List<List<string>>();
        for (var d = 0; d < documents; d++)
        {
            var sentences = new List<string>();
            var sentenceCount = random.NextInt(minSentences, maxSentences);
            for (var s = 0; s < sentenceCount; s++)
            {
                var words = Enumerable.Range(0, random.NextInt(minWords, maxWords)).Select(_ => $"w{random.NextInt(vocabularyWords)}");
                sentences.Add(string.Join(' ', words));
            }
            result.Add(sentences);
        }
        return result;
    }

    /// <summary>The one-sentence-per-line text of <paramref name="documents"/>, a blank line after each.</summary>
    public static string ToSentencePerLine(IEnumerable<IEnumerable<string>> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            foreach (var sentence in document)
            {
                text.Append(sentence).Append('\n');
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    public static string WriteText(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    public static string WriteGzip(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(text));
        return path;
    }

    /// <summary>Tokenizes <paramref name="documents"/> in memory with <paramref name="tokenizer"/>.</summary>
    public static TokenizedCorpus Tokenize(List<List<string>> documents, FakeTokenizer tokenizer) =>
        TokenizedCorpus.Build(documents.Select((sentences, i) => new CorpusDocument($"doc{i}", sentences)), tokenizer.Tokenizer);
}

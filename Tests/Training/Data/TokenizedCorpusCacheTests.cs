using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class TokenizedCorpusCacheTests
{
    private string _folder = "";
    private string _cache = "";
    private string _corpusPath = "";
    private readonly List<string> _log = [];
    private readonly FakeTokenizer _tokenizer = FakeTokenizer.WithNumberedWords(50);

    [SetUp]
    public void WriteCorpus()
    {
        _folder = TestCorpora.NewFolder();
        _cache = Path.Combine(_folder, "cache");
        var documents = TestCorpora.RandomDocuments(40, 1, 8, 1, 12, 60, seed: 7);
        _corpusPath = TestCorpora.WriteGzip(_folder, "corpus.txt.gz", TestCorpora.ToSentencePerLine(documents));
        _log.Clear();
    }

    [TearDown]
    public void DeleteFolder() => TestCorpora.DeleteFolder(_folder);

    [Test]
    public void BuildSkipsEmptySentencesAndKeepsOrder()
    {
        var tokenizer = new FakeTokenizer(["a", "b", "c"]);
        var corpus = TokenizedCorpus.Build(
            [new("d0", ["a b", "zzz", ""]), new("d1", [""]), new("d2", ["c"])],
            tokenizer.Tokenizer with { Encode = text => text == "" ? [] : tokenizer.Tokenizer.Encode(text) });

        Assert.That(corpus.ToString(), Is.EqualTo("2 documents, 3 sentences, 4 tokens"));
        Assert.That(corpus.Sentence(0).ToArray(), Is.EqualTo(new[] { 5, 6 }));
        Assert.That(corpus.Sentence(1).ToArray(), Is.EqualTo(new[] { FakeTokenizer.BaseSpecials.Unk }));
        Assert.That(corpus.DocumentId(1), Is.EqualTo("d2"));
        Assert.That(corpus.SentencesIn(0), Is.EqualTo(2));
    }

    [Test]
    public void SecondLoadComesFromTheCacheWithIdenticalContent()
    {
        var first = Load();
        var second = Load();

        Assert.That(first.FromCache, Is.False);
        Assert.That(second.FromCache, Is.True);
        AssertSameCorpus(second.Corpus, first.Corpus);
        Assert.That(first.Corpus.DocumentCount, Is.EqualTo(40));
    }

    [Test]
    public void ChangedCorpusIsRetokenized()
    {
        Load();
        var documents = TestCorpora.RandomDocuments(41, 1, 8, 1, 12, 60, seed: 8);
        TestCorpora.WriteGzip(_folder, "corpus.txt.gz", TestCorpora.ToSentencePerLine(documents));

        var reloaded = Load();

        Assert.That(reloaded.FromCache, Is.False);
        Assert.That(reloaded.Corpus.DocumentCount, Is.EqualTo(41));
        Assert.That(_log, Has.Some.Contain("stale"));
    }

    [Test]
    public void ChangedVocabularyIsRetokenizedIntoItsOwnCache()
    {
        var first = Load();
        var otherVocabulary = FakeTokenizer.WithNumberedWords(30);
        var reloaded = TokenizedCorpusCache.LoadOrBuild([new CorpusSource(_corpusPath)], otherVocabulary.Tokenizer, _cache, _log.Add);

        Assert.That(reloaded.FromCache, Is.False);
        Assert.That(reloaded.Corpus.TokenIds.ToArray(), Has.Some.EqualTo(FakeTokenizer.BaseSpecials.Unk));
        Assert.That(reloaded.CachePath, Is.Not.EqualTo(first.CachePath), "one cache file per vocabulary");
        Assert.That(Load().FromCache, Is.True, "switching back to the first vocabulary finds its cache");
    }

    [Test]
    public void TruncatedCacheIsRebuiltWithAWarning()
    {
        var first = Load();
        var bytes = File.ReadAllBytes(first.CachePath!);
        File.WriteAllBytes(first.CachePath!, bytes[..(bytes.Length * 2 / 3)]);

        var rebuilt = Load();

        Assert.That(rebuilt.FromCache, Is.False);
        Assert.That(_log, Has.Some.StartsWith("warning:").And.Contain("truncated"));
        AssertSameCorpus(rebuilt.Corpus, first.Corpus);
        Assert.That(Load().FromCache, Is.True, "the rebuilt cache is valid");
    }

    [Test]
    public void CorruptCacheIsRebuiltWithAWarning()
    {
        var first = Load();
        var bytes = File.ReadAllBytes(first.CachePath!);
        bytes[^20] ^= 0x55;
        File.WriteAllBytes(first.CachePath!, bytes);

        var rebuilt = Load();

        Assert.That(rebuilt.FromCache, Is.False);
        Assert.That(_log, Has.Some.StartsWith("warning:").And.Contain("checksum"));
    }

    [Test]
    public void GarbageCacheFileIsRebuilt()
    {
        var first = Load();
        File.WriteAllText(first.CachePath!, "not a cache");
        Assert.That(Load().FromCache, Is.False);
        Assert.That(_log, Has.Some.StartsWith("warning:"));
    }

    [Test]
    public void NoCacheDirectoryMeansNoCacheFile()
    {
        var result = TokenizedCorpusCache.LoadOrBuild([new CorpusSource(_corpusPath)], _tokenizer.Tokenizer, null, _log.Add);
        Assert.That(result.CachePath, Is.Null);
        Assert.That(Directory.Exists(_cache), Is.False);
        Assert.That(_log.Last(), Does.StartWith("Tokenized corpus: 40 documents"));
    }

    private CorpusLoadResult Load() =>
        TokenizedCorpusCache.LoadOrBuild([new CorpusSource(_corpusPath)], _tokenizer.Tokenizer, _cache, _log.Add);

    private static void AssertSameCorpus(TokenizedCorpus actual, TokenizedCorpus expected)
    {
        Assert.That(actual.TokenIds.ToArray(), Is.EqualTo(expected.TokenIds.ToArray()));
        Assert.That(actual.SentenceCount, Is.EqualTo(expected.SentenceCount));
        Assert.That(Enumerable.Range(0, actual.SentenceCount + 1).Select(actual.SentenceStart),
            Is.EqualTo(Enumerable.Range(0, expected.SentenceCount + 1).Select(expected.SentenceStart)));
        Assert.That(Enumerable.Range(0, actual.DocumentCount + 1).Select(actual.FirstSentence),
            Is.EqualTo(Enumerable.Range(0, expected.DocumentCount + 1).Select(expected.FirstSentence)));
        Assert.That(Enumerable.Range(0, actual.DocumentCount).Select(actual.DocumentId),
            Is.EqualTo(Enumerable.Range(0, expected.DocumentCount).Select(expected.DocumentId)));
    }
}

using System.Diagnostics;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

/// <summary>Checks against the real shared data (ignored when it is absent), plus the data-path rules.</summary>
public class SharedDataTests
{
    [Test]
    public void RepositoryRootIsFoundFromASubfolder()
    {
        var root = DataPaths.FindRepositoryRoot(AppContext.BaseDirectory);
        Assert.That(root, Is.Not.Null);
        Assert.That(File.Exists(Path.Combine(root!, DataPaths.SolutionFileName)), Is.True);
        Assert.That(DataPaths.ResolveDataRoot(null, "/repo/x"), Is.EqualTo(Path.GetFullPath("/repo/shared/data")));
        Assert.That(DataPaths.ResolveDataRoot("/elsewhere/data", "/repo/x"), Is.EqualTo(Path.GetFullPath("/elsewhere/data")));
    }

    [Test]
    public void MissingDataFileNamesThePathAndTheVariable()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DataPaths.RequireFile("pretrain/no_such_corpus.txt.gz"));
        Assert.That(error!.Message, Does.Contain("no_such_corpus.txt.gz").And.Contain(DataPaths.EnvironmentVariable));
    }

    [Test]
    public void FirstDocumentsOfTheSharedCorpusMakeValidBatches()
    {
        var path = SharedFileOrIgnore(DataPaths.PretrainCorpusRelative);
        var documents = CorpusReader.ReadDocuments([new CorpusSource(path)]).Take(300).ToList();
        var corpus = TokenizedCorpus.Build(documents, HashingTokenizer.Create());
        var split = CorpusSplit.Create(corpus.DocumentCount, 0.05, seed: 1);
        var source = new PretrainingBatchSource(corpus, split.TrainingDocuments, HashingTokenizer.Specials, new PretrainingDataOptions(), 32);

        var batch = source.Read(DataCursor.Start).First().Batch;

        Assert.That(corpus.DocumentCount, Is.EqualTo(300));
        Assert.That(documents[0].Id, Does.StartWith("biomed_pretrain_corpus.txt.gz:1"));
        Assert.That(batch.InputIds, Has.Length.EqualTo(32 * 128));
        Assert.That(batch.MaskedPositions.Length, Is.InRange(32, 32 * 20));
        Assert.That(source.BatchesPerEpoch(0), Is.GreaterThan(10));
    }

    /// <summary>
    /// The default corpus grew from two files to three; the held-out documents of the first two (on which every figure
    /// before that was measured) stay the same, and the third file adds its own 2 %.
    /// </summary>
    [Test]
    public void TheThirdCorpusLeavesTodaysHeldOutDocumentsAsTheyWere()
    {
        SharedFileOrIgnore(DataPaths.PretrainCorpusRelative);
        SharedFileOrIgnore(DataPaths.PubMedExtraCorpusRelative);
        SharedFileOrIgnore(DataPaths.PubMedMoreCorpusRelative);
        var ids = CorpusReader.ReadDocuments(DataPaths.SharedPretrainingCorpora().Select(p => new CorpusSource(p))).Select(d => d.Id).ToList();
        int firstTwo = ids.Count(id => !id.StartsWith("pubmed_more_corpus", StringComparison.Ordinal));

        var before = CorpusSplit.Create(firstTwo, 0.02, seed: 42);
        var after = CorpusSplit.Create(CorpusSplit.Segments(ids), 0.02, seed: 42);

        Assert.That(ids, Has.Count.EqualTo(63_111), "documents in the three shared corpora (shared/data/README.md)");
        Assert.That(after.HeldOutDocuments.Where(d => d < firstTwo), Is.EqualTo(before.HeldOutDocuments));
        Assert.That(after.HeldOutDocuments.Count(d => d >= firstTwo), Is.EqualTo(778), "round(2 % of 38,901)");
    }

    [Test]
    public void SharedPubTatorFileReadsAsFiveHundredDocuments()
    {
        var path = SharedFileOrIgnore(Path.Combine(DataPaths.Bc5cdrRelative, "pubtator", "CDR_TrainingSet.PubTator.txt"));
        var documents = CorpusReader.ReadDocuments([new CorpusSource(path)]).ToList();
        Assert.That(documents, Has.Count.EqualTo(500));
        Assert.That(documents.Select(d => d.Sentences.Count).Min(), Is.GreaterThanOrEqualTo(2), "title plus at least one abstract sentence");
    }

    /// <summary>Times the whole pipeline on both shared corpora (run by hand: it tokenizes ≈ 6M words).</summary>
    [Test]
    [Explicit("Timing run over the full shared corpora")]
    public void TimingsOnTheFullSharedCorpora()
    {
        SharedFileOrIgnore(DataPaths.PretrainCorpusRelative);
        var sources = DataPaths.SharedPretrainingCorpora().Select(p => new CorpusSource(p)).ToList();
        var cache = Path.Combine(Path.GetTempPath(), "minibiobert-timing-cache");
        TestCorpora.DeleteFolder(cache);
        Action<string> log = TestContext.Out.WriteLine;

        var built = TokenizedCorpusCache.LoadOrBuild(sources, HashingTokenizer.Create(), cache, log);
        var loaded = TokenizedCorpusCache.LoadOrBuild(sources, HashingTokenizer.Create(), cache, log);
        var split = CorpusSplit.Create(loaded.Corpus.DocumentCount);
        var source = new PretrainingBatchSource(loaded.Corpus, split.TrainingDocuments, HashingTokenizer.Specials, new PretrainingDataOptions(), 128);

        var watch = Stopwatch.StartNew();
        var epoch = source.GetEpoch(0);
        var epochTime = watch.Elapsed;
        watch.Restart();
        var batches = epoch.Batches().Take(100).Count();
        var batchTime = watch.Elapsed / batches;
        log($"epoch 0: {epoch.Instances.Count:N0} instances, {epoch.BatchCount:N0} batches of 128, built in {epochTime.TotalMilliseconds:F0} ms; " +
            $"one batch in {batchTime.TotalMilliseconds:F2} ms");
        Assert.That(built.FromCache, Is.False);
        Assert.That(loaded.FromCache, Is.True);
        TestCorpora.DeleteFolder(cache);
    }

    private static string SharedFileOrIgnore(string relativePath)
    {
        var path = Path.Combine(DataPaths.DataRoot, relativePath);
        if (!File.Exists(path))
        {
            Assert.Ignore($"Shared data not found at {path} (set {DataPaths.EnvironmentVariable}).");
        }
        return path;
    }
}

using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class PretrainingDatasetTests
{
    private static readonly FakeTokenizer Tokenizer = FakeTokenizer.WithNumberedWords(100);

    /// <summary>400 random documents of numbered words, gzipped into <paramref name="folder"/>; returns the path.</summary>
    private static string WriteCorpus(string folder) =>
        TestCorpora.WriteGzip(folder, "corpus.txt.gz", TestCorpora.ToSentencePerLine(TestCorpora.RandomDocuments(400, 2, 12, 3, 20, 100, seed: 21)));

    [Test]
    public void OpenWiresCacheSplitTrainingAndEvaluation()
    {
        var folder = TestCorpora.NewFolder();
        try
        {
            var path = WriteCorpus(folder);
            var log = new List<string>();
            var options = new PretrainingDataOptions { MaxSequenceLength = 64 };

            var data = PretrainingDataset.Open([new CorpusSource(path)], Tokenizer.Tokenizer, options, 16, Path.Combine(folder, "cache"), 0.05, log.Add);
            var reopened = PretrainingDataset.Open([new CorpusSource(path)], Tokenizer.Tokenizer, options, 16, Path.Combine(folder, "cache"), 0.05, log.Add);

            Assert.That(data.Split.HeldOutDocuments, Has.Count.EqualTo(20));
            Assert.That(reopened.Load.FromCache, Is.True);
            Assert.That(reopened.Split.HeldOutDocuments, Is.EqualTo(data.Split.HeldOutDocuments));
            Assert.That(data.Training.Read(DataCursor.Start).First().Batch.BatchSize, Is.EqualTo(16));
            Assert.That(data.Evaluation.BatchCount, Is.GreaterThan(0));
            Assert.That(data.Baseline.Predictions, Is.GreaterThan(0));
            Assert.That(log, Has.Some.StartsWith("Split: 380 training documents, 20 held out"));
        }
        finally
        {
            TestCorpora.DeleteFolder(folder);
        }
    }

    [Test]
    public void TrainingMasksAtItsRateAndEvaluationAtBerts()
    {
        var folder = TestCorpora.NewFolder();
        try
        {
            var path = WriteCorpus(folder);
            var options = new PretrainingDataOptions { MaxSequenceLength = 128 }.WithMaskRate(0.4);

            var data = PretrainingDataset.Open([new CorpusSource(path)], Tokenizer.Tokenizer, options, 16, cacheDirectory: null, 0.05);

            // 0.4 of a full sequence's 125 candidates is 50 predictions: above BERT's cap of 20, within ceil(0.4 × 128) = 52;
            // per row the count is rounded, so the share of a batch of 16 is within 0.02 of the rate.
            Assert.That(options.MaxPredictionsPerSequence, Is.EqualTo(52));
            var training = data.Training.Read(DataCursor.Start).First().Batch;
            var evaluation = data.Evaluation.GetBatch(0);
            Assert.That(MaskedShare(training), Is.EqualTo(0.4).Within(0.02));
            Assert.That(MaskedShare(evaluation), Is.EqualTo(0.15).Within(0.02));
        }
        finally
        {
            TestCorpora.DeleteFolder(folder);
        }
    }

    /// <summary>Masked positions over real tokens other than [CLS] and [SEP] (each row has one [CLS] and two [SEP]).</summary>
    private static double MaskedShare(PretrainingBatch batch) =>
        (double)batch.MaskedPositions.Length / (batch.AttentionMask.Sum() - 3 * batch.BatchSize);
}

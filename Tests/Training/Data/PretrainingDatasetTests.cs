using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class PretrainingDatasetTests
{
    [Test]
    public void OpenWiresCacheSplitTrainingAndEvaluation()
    {
        var folder = TestCorpora.NewFolder();
        try
        {
            var tokenizer = FakeTokenizer.WithNumberedWords(100);
            var text = TestCorpora.ToSentencePerLine(TestCorpora.RandomDocuments(400, 2, 12, 3, 20, 100, seed: 21));
            var path = TestCorpora.WriteGzip(folder, "corpus.txt.gz", text);
            var log = new List<string>();
            var options = new PretrainingDataOptions { MaxSequenceLength = 64 };

            var data = PretrainingDataset.Open([new CorpusSource(path)], tokenizer.Tokenizer, options, 16, Path.Combine(folder, "cache"), 0.05, log.Add);
            var reopened = PretrainingDataset.Open([new CorpusSource(path)], tokenizer.Tokenizer, options, 16, Path.Combine(folder, "cache"), 0.05, log.Add);

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
}

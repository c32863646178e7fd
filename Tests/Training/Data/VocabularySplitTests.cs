using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

/// <summary>The default vocabulary of a pretraining run is learned from its training documents only.</summary>
public class VocabularySplitTests
{
    [Test]
    public void AWordOnlyTheHeldOutDocumentsUseIsNotLearned()
    {
        string folder = TestCorpora.NewFolder();
        try
        {
            // 50 documents of common words; with seed 7 and 10 % held out, the held-out documents get a word of their own.
            var heldOut = new HeldOutDocuments(0.1, 7);
            var split = CorpusSplit.Create(50, heldOut.Fraction, heldOut.Seed);
            var lines = new List<string>();
            for (int d = 0; d < 50; d++)
            {
                string extra = split.HeldOutDocuments.Contains(d) ? " zyxwvut zyxwvut zyxwvut" : "";
                lines.Add($"the cells were treated with cisplatin{extra}.");
                lines.Add("the kidney was damaged.");
                lines.Add("");
            }
            string corpus = Path.Combine(folder, "corpus.txt");
            File.WriteAllLines(corpus, lines);

            var fromTraining = CorpusArguments.TrainVocabulary([corpus], 200, heldOut);
            var fromAll = CorpusArguments.TrainVocabulary([corpus], 200);

            Assert.That(fromAll.TryGetId("zyxwvut", out _), Is.True, "learned when every document is read");
            Assert.That(fromTraining.TryGetId("zyxwvut", out _), Is.False, "never seen in a training document");
            Assert.That(fromTraining.TryGetId("cisplatin", out _), Is.True);
        }
        finally
        {
            TestCorpora.DeleteFolder(folder);
        }
    }
}

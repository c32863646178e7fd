using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class CorpusSplitTests
{
    [Test]
    public void HeldOutDocumentsAreDisjointCompleteAndDeterministic()
    {
        var split = CorpusSplit.Create(1000, 0.02, seed: 3);
        var again = CorpusSplit.Create(1000, 0.02, seed: 3);
        var otherSeed = CorpusSplit.Create(1000, 0.02, seed: 4);

        Assert.That(split.HeldOutDocuments, Has.Count.EqualTo(20));
        Assert.That(split.TrainingDocuments.Intersect(split.HeldOutDocuments), Is.Empty);
        Assert.That(split.TrainingDocuments.Concat(split.HeldOutDocuments).Order(), Is.EqualTo(Enumerable.Range(0, 1000)));
        Assert.That(split.TrainingDocuments, Is.Ordered);
        Assert.That(again.HeldOutDocuments, Is.EqualTo(split.HeldOutDocuments));
        Assert.That(otherSeed.HeldOutDocuments, Is.Not.EqualTo(split.HeldOutDocuments));
    }

    [Test]
    public void TinyCorporaKeepAtLeastOneDocumentOnEachSide()
    {
        Assert.That(CorpusSplit.Create(10, 0.02).HeldOutDocuments, Has.Count.EqualTo(1));
        Assert.That(CorpusSplit.Create(2, 0.9).TrainingDocuments, Has.Count.EqualTo(1));
        Assert.That(CorpusSplit.Create(10, 0).HeldOutDocuments, Is.Empty);
        Assert.Throws<ArgumentOutOfRangeException>(() => CorpusSplit.Create(10, 1.0));
    }

    [Test]
    public void AddingASegmentLeavesTheHeldOutDocumentsOfTheFirstAsTheyWere()
    {
        var before = CorpusSplit.Create(1000, 0.02, seed: 3);
        var after = CorpusSplit.Create([1000, 500], 0.02, seed: 3);

        Assert.That(after.HeldOutDocuments.Where(d => d < 1000), Is.EqualTo(before.HeldOutDocuments));
        Assert.That(after.HeldOutDocuments.Count(d => d >= 1000), Is.EqualTo(10), "2 % of the new segment");
        Assert.That(after.TrainingDocuments.Concat(after.HeldOutDocuments).Order(), Is.EqualTo(Enumerable.Range(0, 1500)));
        Assert.That(after.HeldOutDocuments, Is.Ordered);
    }

    [Test]
    public void SegmentsAreRunsOfOneSourceFileWithTheFirstReleaseCorporaTogether()
    {
        string[] ids =
        [
            "biomed_pretrain_corpus.txt.gz:1", "biomed_pretrain_corpus.txt.gz:9", "pubmed_extra_corpus.txt.gz:1",
            "pubmed_more_corpus.txt.gz:1", "pubmed_more_corpus.txt.gz:7", "mine.txt:1", "CDR.PubTator:123",
        ];
        Assert.That(CorpusSplit.Segments(ids), Is.EqualTo(new[] { 3, 2, 1, 1 }));
    }
}

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
}

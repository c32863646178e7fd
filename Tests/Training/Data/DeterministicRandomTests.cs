using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class DeterministicRandomTests
{
    [Test]
    public void SavedStateContinuesTheSameStream()
    {
        var random = new DeterministicRandom(42);
        random.NextUInt64();
        var saved = random.State;
        var expected = Enumerable.Range(0, 5).Select(_ => random.NextInt(1000)).ToArray();

        var resumed = new DeterministicRandom(saved);
        Assert.That(Enumerable.Range(0, 5).Select(_ => resumed.NextInt(1000)), Is.EqualTo(expected));
    }

    [Test]
    public void NextIntIsInRangeAndRoughlyUniform()
    {
        var random = new DeterministicRandom(1);
        var counts = new int[7];
        for (var i = 0; i < 70_000; i++)
        {
            counts[random.NextInt(7)]++;
        }
        // Each count is Binomial(70000, 1/7): mean 10000, sigma ≈ 92.6; allow 5 sigma.
        Assert.That(counts, Has.All.InRange(10_000 - 463, 10_000 + 463));
        Assert.That(Enumerable.Range(0, 1000).Select(_ => random.NextInt(2, 5)), Has.All.InRange(2, 5));
    }

    [Test]
    public void DerivedStreamsDifferByPurposeAndIndex()
    {
        var values = new[]
        {
            DeterministicRandom.Derive(7, 1, 0, 0).NextUInt64(),
            DeterministicRandom.Derive(7, 2, 0, 0).NextUInt64(),
            DeterministicRandom.Derive(7, 1, 1, 0).NextUInt64(),
            DeterministicRandom.Derive(7, 1, 0, 1).NextUInt64(),
            DeterministicRandom.Derive(8, 1, 0, 0).NextUInt64(),
        };
        Assert.That(values, Is.Unique);
        Assert.That(DeterministicRandom.Derive(7, 1, 3, 4).NextUInt64(), Is.EqualTo(DeterministicRandom.Derive(7, 1, 3, 4).NextUInt64()));
    }
}

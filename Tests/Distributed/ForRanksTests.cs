using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Distributed;

/// <summary>A run resumed on another number of ranks keeps its global batch (<see cref="PretrainingOptions.ForRanks"/>).</summary>
public class ForRanksTests
{
    [TestCase(1, 8)]
    [TestCase(4, 2)]
    [TestCase(8, 1)]
    public void TheGlobalBatchIsSplitAnew(int ranks, int rowsPerRank)
    {
        var saved = new PretrainingOptions { BatchSize = 4, Ranks = 2 };
        var resumed = saved.ForRanks(ranks);
        Assert.That((resumed.Ranks, resumed.BatchSize, resumed.GlobalBatchSize), Is.EqualTo((ranks, rowsPerRank, 8)));
    }

    [Test]
    public void ANumberOfRanksThatDoesNotDivideTheGlobalBatchIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new PretrainingOptions { BatchSize = 4, Ranks = 2 }.ForRanks(3));
        Assert.That(error!.Message, Does.Contain("global batch of 8 sequences").And.Contain("3 ranks"));
    }

    [Test]
    public void ANumberOfRanksThatDoesNotDivideTheRampBatchIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new PretrainingOptions { BatchSize = 8, RampBatchSize = 2 }.ForRanks(4));
        Assert.That(error!.Message, Does.Contain("ramp batch of 2 sequences").And.Contain("4 ranks"));
    }
}

using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

public class ConllEvaluatorTests
{
    private static NerScores Score(string gold, string predicted) =>
        ConllEvaluator.Evaluate([gold.Split(' ')], [predicted.Split(' ')]);

    [Test]
    public void ExactMatchesScorePerfectly()
    {
        var scores = Score("B-Chem I-Chem O B-Dis", "B-Chem I-Chem O B-Dis");
        Assert.That(scores.Micro, Is.EqualTo(new F1Score("ALL", 2, 2, 2)));
        Assert.That(scores.Micro.F1, Is.EqualTo(1.0));
        Assert.That(scores.PerType.Select(t => t.Name), Is.EqualTo(new[] { "Chem", "Dis" }));
    }

    [Test]
    public void PartialSpanIsWrongTwice()
    {
        // Gold "B I I" is one entity; the prediction "B I O" finds a shorter one: 0 correct of 1 found, 1 gold.
        var scores = Score("B-Chem I-Chem I-Chem O", "B-Chem I-Chem O O");
        Assert.That(scores.Micro, Is.EqualTo(new F1Score("ALL", 1, 1, 0)));
        Assert.That(scores.Micro.F1, Is.EqualTo(0.0));
        Assert.That(scores.TokenAccuracy, Is.EqualTo(0.75));
    }

    [Test]
    public void TypeMismatchCountsAgainstBothTypes()
    {
        var scores = Score("B-Chem O", "B-Dis O");
        var byType = scores.PerType.ToDictionary(t => t.Name);
        Assert.That(byType["Chem"], Is.EqualTo(new F1Score("Chem", 1, 0, 0)));
        Assert.That(byType["Dis"], Is.EqualTo(new F1Score("Dis", 0, 1, 0)));
    }

    [Test]
    public void InsideWithoutBeginStartsAnEntity()
    {
        // conlleval: O I-X starts a chunk, and I-X after I-Y starts a new one.
        Assert.That(ConllChunker.Chunks("O I-Chem I-Chem O".Split(' ')), Is.EqualTo(new[] { new EntitySpan(1, 3, "Chem") }));
        Assert.That(ConllChunker.Chunks("I-Dis I-Chem".Split(' ')), Is.EqualTo(new[] { new EntitySpan(0, 1, "Dis"), new EntitySpan(1, 2, "Chem") }));
        // So a prediction "I-Chem I-Chem" matches a gold "B-Chem I-Chem".
        Assert.That(Score("B-Chem I-Chem", "I-Chem I-Chem").Micro, Is.EqualTo(new F1Score("ALL", 1, 1, 1)));
    }

    [Test]
    public void AdjacentEntitiesAreSeparate()
    {
        Assert.That(ConllChunker.Chunks("B-Chem B-Chem I-Chem B-Dis".Split(' ')),
            Is.EqualTo(new[] { new EntitySpan(0, 1, "Chem"), new EntitySpan(1, 3, "Chem"), new EntitySpan(3, 4, "Dis") }));
        // Merging two adjacent gold entities into one prediction gets neither right.
        Assert.That(Score("B-Chem B-Chem", "B-Chem I-Chem").Micro, Is.EqualTo(new F1Score("ALL", 2, 1, 0)));
    }

    [Test]
    public void EverythingOutsideScoresZeroWithoutDividingByZero()
    {
        var scores = Score("O O O", "O O O");
        Assert.That(scores.Micro, Is.EqualTo(new F1Score("ALL", 0, 0, 0)));
        Assert.That(scores.Micro.Precision, Is.EqualTo(0.0));
        Assert.That(scores.Micro.F1, Is.EqualTo(0.0));
        Assert.That(scores.TokenAccuracy, Is.EqualTo(1.0));
    }

    [Test]
    public void MicroAverageAndF1FollowTheFormulas()
    {
        // 3 gold, 2 found, 1 correct: P = 1/2, R = 1/3, F1 = 2·(1/6)/(5/6) = 0.4.
        var scores = ConllEvaluator.Evaluate(["B-A O B-B".Split(' '), "B-A".Split(' ')], ["B-A O O".Split(' '), "B-B".Split(' ')]);
        Assert.That(scores.Micro, Is.EqualTo(new F1Score("ALL", 3, 2, 1)));
        Assert.That(scores.Micro.F1, Is.EqualTo(0.4).Within(1e-12));
    }
}

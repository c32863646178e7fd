using MiniBioBert.Training.Inspection;

namespace MiniBioBert.Tests.Learners;

public class FillMaskTests
{
    [Test]
    public void ReturnsTopKCandidatesMostProbableFirst()
    {
        var predictions = FillMask.Predict(TinyCheckpoint.Load(), "the patient [MASK] the receptor.", topK: 5);

        Assert.That(predictions, Has.Count.EqualTo(1));
        Assert.That(predictions[0].Position, Is.EqualTo(3), "[CLS] the patient [MASK]");
        var candidates = predictions[0].Candidates;
        Assert.That(candidates, Has.Count.EqualTo(5));
        Assert.That(candidates.Select(c => c.Probability), Is.Ordered.Descending);
        Assert.That(candidates.Sum(c => c.Probability), Is.LessThanOrEqualTo(1.0));
        Assert.That(candidates.Select(c => c.TokenId).Distinct().Count(), Is.EqualTo(5));
        Assert.That(candidates[1].Sequence, Does.StartWith("the patient ").And.EndWith(" the receptor ."));
    }

    [Test]
    public void AllCandidatesOfOneMaskSumToOne()
    {
        var checkpoint = TinyCheckpoint.Load();
        int vocabularySize = checkpoint.Tokenizer.Vocabulary.Count;

        var predictions = FillMask.Predict(checkpoint, "[MASK] cells [MASK] the gene.", topK: vocabularySize);

        Assert.That(predictions.Select(p => p.Position), Is.EqualTo(new[] { 1, 3 }));
        foreach (var prediction in predictions)
        {
            // The tiny vocabulary fills the whole output layer, so all candidates are all of the softmax (1e-9: double sums of 40 terms).
            Assert.That(prediction.Candidates.Sum(c => c.Probability), Is.EqualTo(1.0).Within(1e-9));
        }
        Assert.That(predictions[0].Candidates[0].Sequence, Does.Contain("[MASK]"), "the other mask stays visible");
    }

    [Test]
    public void TextWithoutMaskIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => FillMask.Predict(TinyCheckpoint.Load(), "the patient binds.", topK: 5));
        Assert.That(error!.Message, Does.Contain("no [MASK]"));
    }
}

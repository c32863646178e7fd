using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Training.Pretraining;

/// <summary>The MLM accuracy split by what the input showed at each masked position ([MASK], random, original).</summary>
public class PretrainingMetricsTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    private const int MaskId = 4;

    [Test]
    public void CountsEachMaskedPositionUnderWhatItsInputShowed()
    {
        // One sequence of 6 tokens; positions 1, 2, 3, 5 are predicted (labels 7, 8, 9, 6).
        // Inputs there: [MASK], [MASK], a random token (2), the original (6).
        int[] inputIds = [1, MaskId, MaskId, 2, 5, 6];
        int[] labels = [Ignored, 7, 8, 9, Ignored, 6];
        var inputs = new PretrainingInputs(1, 6, inputIds, new int[6], [1, 1, 1, 1, 1, 1], labels, [0]);

        // Predictions per masked row: 7 (right), 0 (wrong), 9 (right), 6 (right); or, from a head over every
        // position, one per position of the sequence with the same four at positions 1, 2, 3, 5.
        foreach (int[] predictions in new[] { new[] { 7, 0, 9, 6 }, new[] { 3, 7, 0, 9, 3, 6 } })
        {
            var metrics = new PretrainingMetrics();
            metrics.Add(Output(predictions), inputs, MaskId);
            AssertSplit(metrics);
        }
    }

    [Test]
    public void KindsWithoutPositionsHaveNoAccuracy()
    {
        var metrics = new PretrainingMetrics();
        Assert.That(metrics.MlmAccuracyWhere(MaskedInput.MaskToken), Is.Null);
    }

    [Test]
    public void NspMajorityBaselineIsTheShareOfTheCommonerLabelOverAllBatches()
    {
        // Two batches: labels {0, 1, 1} and {1}: "not next" (1) is the commoner, 3 of 4 pairs.
        var metrics = new PretrainingMetrics();
        metrics.Add(NspOutput(3), NspInputs([0, 1, 1]), MaskId);
        metrics.Add(NspOutput(1), NspInputs([1]), MaskId);
        Assert.That(metrics.NspMajorityBaseline, Is.EqualTo(0.75));

        // The same count for "is next" gives the same baseline: the larger class, whichever it is.
        var mirrored = new PretrainingMetrics();
        mirrored.Add(NspOutput(4), NspInputs([1, 0, 0, 0]), MaskId);
        Assert.That(mirrored.NspMajorityBaseline, Is.EqualTo(0.75));
        Assert.That(new PretrainingMetrics().NspMajorityBaseline, Is.Zero);
    }

    [Test]
    public void PerplexityPerWordDividesTheSummedLossByTheMaskedWords()
    {
        // Masked labels 7, 8, 9, 6 where 8 is a "##" piece: 3 words. The mean loss per piece is 0.5 (Output's), so
        // the summed loss is 4 × 0.5 and the perplexity per word exp(2 / 3).
        int[] labels = [Ignored, 7, 8, 9, Ignored, 6];
        var inputs = new PretrainingInputs(1, 6, [1, MaskId, MaskId, 2, 5, 6], new int[6], [1, 1, 1, 1, 1, 1], labels, [0]);
        bool[] continuesWord = Enumerable.Range(0, 10).Select(id => id == 8).ToArray();
        var metrics = new PretrainingMetrics();
        metrics.Add(Output([7, 0, 9, 6]), inputs, MaskId, continuesWord);

        Assert.That(metrics.MlmWords, Is.EqualTo(3));
        Assert.That(metrics.MlmPerplexityPerWord, Is.EqualTo(Math.Exp(2.0 / 3)).Within(1e-12));
        var uncounted = new PretrainingMetrics();
        uncounted.Add(Output([7, 0, 9, 6]), inputs, MaskId);
        Assert.That(uncounted.MlmPerplexityPerWord, Is.Null);
    }

    private static PretrainingInputs NspInputs(int[] nspLabels)
    {
        int n = nspLabels.Length;
        return new PretrainingInputs(n, 1, new int[n], new int[n], Enumerable.Repeat(1, n).ToArray(), Enumerable.Repeat(Ignored, n).ToArray(), nspLabels);
    }

    private static PretrainingScores NspOutput(int pairs) =>
        new(MlmLoss: 0.5, NspLoss: 0.5, MlmCorrect: 0, MlmCount: 0, NspCorrect: 0, NspCount: pairs, MlmPredictions: []);

    private static PretrainingScores Output(int[] predictions) =>
        new(MlmLoss: 0.5, NspLoss: 0.5, MlmCorrect: 3, MlmCount: 4, NspCorrect: 1, NspCount: 1, MlmPredictions: predictions);

    private static void AssertSplit(PretrainingMetrics metrics)
    {
        Assert.Multiple(() =>
        {
            Assert.That(metrics.MlmAccuracy, Is.EqualTo(0.75));
            Assert.That(metrics.MlmAccuracyWhere(MaskedInput.MaskToken), Is.EqualTo(0.5));
            Assert.That(metrics.MlmAccuracyWhere(MaskedInput.Random), Is.EqualTo(1.0));
            Assert.That(metrics.MlmAccuracyWhere(MaskedInput.Kept), Is.EqualTo(1.0));
        });
    }
}

using MiniBioBert.Benchmarks.Measurements;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Tests.Engine.Gpu;
using MiniBioBert.Tests.Training.Pretraining;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Distributed;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Distributed;

/// <summary>
/// The arithmetic of data parallelism in one process, without MPI: the ranks' shares of a global batch are its rows,
/// and the sum of the ranks' loss parts and of their gradients is the global batch's loss and gradient.
/// </summary>
public class BatchShareTests
{
    /// <summary>
    /// Two shares against the whole batch: the sums over the k = 8 · 32 = 256 positions of the batch are added in
    /// another order (two partial sums, then their sum), so the bounds are <see cref="FloatBounds"/>' for two
    /// summation orders with reductions of length 256: δ_f·|L| for the loss, δ_b normwise for the gradient.
    /// </summary>
    private const int Length = 256;

    private static readonly int Stages = FloatBounds.BertStages(layers: 2);

    /// <summary>4 ranks take 2 rows each of a batch of 8; 3 ranks (as an evaluation's last, smaller batch may need) take 2, 3 and 3.</summary>
    [TestCase(4, new[] { 2, 2, 2, 2 })]
    [TestCase(3, new[] { 2, 3, 3 })]
    public void SharesAreTheRowsOfTheGlobalBatch(int ranks, int[] rows)
    {
        using var run = new TinyPretrainingRun();
        var global = TinyPretrainingRun.OpenData(run.Options(steps: 1), run.VocabPath).Training.GetEpoch(0).GetBatch(0); // 8 rows
        var shares = Enumerable.Range(0, ranks).Select(rank => BatchShare.Rows(global, rank, ranks)).ToList();

        Assert.That(shares.Select(share => share.BatchSize), Is.EqualTo(rows));
        Assert.That(shares.SelectMany(share => share.InputIds), Is.EqualTo(global.InputIds));
        Assert.That(shares.SelectMany(share => share.TokenTypeIds), Is.EqualTo(global.TokenTypeIds));
        Assert.That(shares.SelectMany(share => share.AttentionMask), Is.EqualTo(global.AttentionMask));
        Assert.That(shares.SelectMany(share => share.MlmLabels), Is.EqualTo(global.MlmLabels));
        Assert.That(shares.SelectMany(share => share.NspLabels), Is.EqualTo(global.NspLabels));
        Assert.That(shares.SelectMany(share => share.MaskedLabels), Is.EqualTo(global.MaskedLabels));
        // Positions are renumbered from each share's first row: b·T + t in the share is (b + first row)·T + t in the batch.
        int[] firstRows = [.. rows.Select((_, rank) => rows.Take(rank).Sum())];
        Assert.That(shares.SelectMany((share, rank) => share.MaskedPositions.Select(position => position + firstRows[rank] * global.SequenceLength)),
            Is.EqualTo(global.MaskedPositions));
        Assert.That(shares.Sum(share => share.RealTokenCount), Is.EqualTo(global.RealTokenCount));
        Assert.That(BatchShare.Rows(global, 0, ranks: 1), Is.SameAs(global));
    }

    [Test]
    public void TheRanksLossPartsAndGradientsSumToTheGlobalBatchs()
    {
        using var run = new TinyPretrainingRun();
        var options = run.Options(steps: 1);
        var global = TinyPretrainingRun.OpenData(options, run.VocabPath).Training.GetEpoch(0).GetBatch(0);
        var model = new BertForPreTraining(options.Model, options.Seed);

        var (globalLoss, globalGradient) = LossAndGradient(model, global, share => share);
        var (firstLoss, firstGradient) = LossAndGradient(model, global, share => BatchShare.Rows(share, 0, ranks: 2));
        var (secondLoss, secondGradient) = LossAndGradient(model, global, share => BatchShare.Rows(share, 1, ranks: 2));

        // The two shares hold different numbers of masked positions, so the mean of their means would not do.
        Assert.That(BatchShare.Rows(global, 0, 2).MaskedPositions.Length, Is.Not.EqualTo(BatchShare.Rows(global, 1, 2).MaskedPositions.Length));
        Assert.That(firstLoss + secondLoss, Is.EqualTo(globalLoss).Within(FloatBounds.Forward(Stages, Length) * globalLoss));
        var summed = firstGradient.Zip(secondGradient, (a, b) => a + b).ToArray();
        GpuTesting.AssertClose(summed, globalGradient, "summed gradient of the shares", FloatBounds.Backward(Stages, Length));
    }

    /// <summary>The loss part and the parameter gradient of one rank's share of <paramref name="global"/> (the whole batch for the identity).</summary>
    private static (double Loss, float[] Gradient) LossAndGradient(BertForPreTraining model, PretrainingBatch global, Func<PretrainingBatch, PretrainingBatch> share)
    {
        model.Parameters.ZeroGradients();
        using var scope = new TensorScope();
        var rows = share(global);
        var output = model.Forward(rows.ToInputs(), ForwardContext.Evaluation);
        var loss = rows == global ? output.Loss : BatchShare.LossPart(output, rows, global);
        loss.Backward();
        return (loss.Item(), [.. model.Parameters.Gradients]);
    }
}

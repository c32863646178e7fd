using System.Diagnostics;
using MiniBioBert.Engine;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// The task-independent part of fine-tuning: shuffled mini-batches, each one <see cref="TrainingStep"/> (AdamW, one per
/// parameter buffer, sharing one warmup + linear-decay schedule; global gradient clipping over both buffers), a devel
/// evaluation after every epoch, early stopping after <see cref="FineTuningOptions.Patience"/> epochs without improvement, and at the end
/// the parameters of the best epoch restored into the model. A step whose loss or gradient is NaN or infinite makes
/// no update; a warning names the first non-finite tensor, and the step is left out of the epoch's mean loss.
/// </summary>
internal static class FineTuningLoop
{
    /// <summary>
    /// Trains the model whose parameters are <paramref name="buffers"/> (encoder, then head) on examples 0 … <paramref name="trainCount"/> − 1. <paramref name="batchLoss"/>
    /// computes the loss of the given example indices; <paramref name="evaluateDevel"/> returns the devel score
    /// (higher is better). Returns one record per epoch run.
    /// </summary>
    public static List<EpochRecord> Run(IReadOnlyList<ParameterBuffer> buffers, int trainCount, Func<int[], ForwardContext, Tensor> batchLoss,
        Func<double> evaluateDevel, FineTuningOptions options, Action<string> log)
    {
        options.Validate();
        var optimizer = new ModelOptimizer(buffers,
            [.. buffers.Select(buffer => new AdamW(Segments(buffer), new AdamWOptions { WeightDecay = options.WeightDecay }))]);
        int stepsPerEpoch = (trainCount + options.BatchSize - 1) / options.BatchSize;
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        var schedule = new LearningRateSchedule(options.LearningRate, (long)(options.WarmupFraction * totalSteps), totalSteps);
        var random = new Random(options.Seed);

        var history = new List<EpochRecord>();
        var best = new BestEpoch(buffers);
        for (int epoch = 1; epoch <= options.Epochs && best.EpochsWithoutImprovement < options.Patience; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Enumerable.Range(0, trainCount).ToArray();
            random.Shuffle(order);
            double lossSum = 0;
            int finiteSteps = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                var indices = order[(step * options.BatchSize)..Math.Min(trainCount, (step + 1) * options.BatchSize)];
                ulong dropoutSeed = ((ulong)options.Seed << 32) | (ulong)optimizer.StepCount;
                var outcome = TrainingStep.Run(optimizer, microBatches: 1, (_, context) => batchLoss(indices, context),
                    _ => dropoutSeed, schedule.LearningRate(optimizer.StepCount), options.MaxGradNorm);
                if (outcome.Updated)
                {
                    (lossSum, finiteSteps) = (lossSum + outcome.Loss, finiteSteps + 1);
                }
                else
                {
                    string tensor = NonFiniteTensors.First(buffers) ?? "loss";
                    log($"warning: epoch {epoch} {NonFiniteTensors.Describe(step + 1, outcome.Loss, outcome.GradientNorm, tensor)} The update is skipped.");
                }
                if ((step + 1) % 5 == 0)
                {
                    log($"  epoch {epoch} step {step + 1}/{stepsPerEpoch}  loss {lossSum / Math.Max(1, finiteSteps):F4}  {clock.Elapsed.TotalSeconds:F0}s");
                }
            }
            double trainLoss = finiteSteps == 0 ? double.NaN : lossSum / finiteSteps;
            double score = evaluateDevel();
            history.Add(new EpochRecord(epoch, trainLoss, score, clock.Elapsed));
            log($"epoch {epoch}: train loss {trainLoss:F4}, devel score {score:F4} ({clock.Elapsed.TotalSeconds:F0}s)");
            best.Offer(score);
        }
        best.Restore();
        return history;
    }

    /// <summary>
    /// BERT's decay rule, except for the pretraining heads (<c>cls.*</c>), which fine-tuning does not use: with zero
    /// gradients and no decay AdamW leaves them exactly as they are.
    /// </summary>
    private static ParameterSegment[] Segments(ParameterBuffer buffer) =>
        [.. buffer.Parameters.Select(p => new ParameterSegment(p.Offset, p.Value.Size,
            WeightDecayRule.AppliesTo(p.Name) && !p.Name.StartsWith("cls.", StringComparison.Ordinal)))];
}

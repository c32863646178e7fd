using System.Diagnostics;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// The task-independent part of fine-tuning: shuffled mini-batches, AdamW (one per parameter buffer, sharing one
/// warmup + linear-decay schedule), global gradient clipping over both buffers, a devel evaluation after every
/// epoch, early stopping after <see cref="FineTuningOptions.Patience"/> epochs without improvement, and at the end
/// the parameters of the best epoch restored into the model. A step whose loss or gradient is NaN or infinite makes
/// no update; a warning names the first non-finite tensor, and the step is left out of the epoch's mean loss.
/// </summary>
public static class FineTuningLoop
{
    /// <summary>
    /// Trains <paramref name="model"/> on examples 0 … <paramref name="trainCount"/> − 1. <paramref name="batchLoss"/>
    /// computes the loss of the given example indices; <paramref name="evaluateDevel"/> returns the devel score
    /// (higher is better). Returns one record per epoch run.
    /// </summary>
    public static List<EpochRecord> Run(BertForFineTuning model, int trainCount, Func<int[], ForwardContext, Tensor> batchLoss,
        Func<double> evaluateDevel, FineTuningOptions options, Action<string> log)
    {
        options.Validate();
        var buffers = model.ParameterBuffers;
        var optimizers = buffers.Select(buffer => new AdamW(Segments(buffer), new AdamWOptions { WeightDecay = options.WeightDecay })).ToArray();
        int stepsPerEpoch = (trainCount + options.BatchSize - 1) / options.BatchSize;
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        var schedule = new LearningRateSchedule(options.LearningRate, (long)(options.WarmupFraction * totalSteps), totalSteps);
        var random = new Random(options.Seed);

        var history = new List<EpochRecord>();
        double bestScore = double.NegativeInfinity;
        float[][] best = [.. buffers.Select(b => (float[])b.Values.Clone())];
        int epochsWithoutImprovement = 0;
        for (int epoch = 1; epoch <= options.Epochs && epochsWithoutImprovement < options.Patience; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Enumerable.Range(0, trainCount).ToArray();
            random.Shuffle(order);
            double lossSum = 0;
            int finiteSteps = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                var indices = order[(step * options.BatchSize)..Math.Min(trainCount, (step + 1) * options.BatchSize)];
                ulong dropoutSeed = ((ulong)options.Seed << 32) | (ulong)optimizers[0].StepCount;
                var (loss, trouble) = TrainStep(buffers, optimizers, schedule, options.MaxGradNorm, ctx => batchLoss(indices, ctx), dropoutSeed, step + 1);
                if (trouble is null)
                {
                    (lossSum, finiteSteps) = (lossSum + loss, finiteSteps + 1);
                }
                else
                {
                    log($"warning: epoch {epoch} {trouble} The update is skipped.");
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
            if (score > bestScore)
            {
                bestScore = score;
                epochsWithoutImprovement = 0;
                for (int i = 0; i < buffers.Count; i++)
                {
                    buffers[i].Values.CopyTo(best[i], 0);
                }
            }
            else
            {
                epochsWithoutImprovement++;
            }
        }
        for (int i = 0; i < buffers.Count; i++)
        {
            best[i].CopyTo(buffers[i].Values, 0);
        }
        return history;
    }

    /// <summary>
    /// One optimizer step (<paramref name="step"/>: its number in the epoch, for the warning); returns the batch loss,
    /// and a description of the trouble when the loss or the gradient norm is not finite (then nothing is updated).
    /// </summary>
    private static (double Loss, string? Trouble) TrainStep(IReadOnlyList<ParameterBuffer> buffers, AdamW[] optimizers,
        LearningRateSchedule schedule, double maxGradNorm, Func<ForwardContext, Tensor> loss, ulong dropoutSeed, int step)
    {
        using var scope = new TensorScope();
        foreach (var buffer in buffers)
        {
            buffer.ZeroGradients();
        }
        var value = loss(new ForwardContext { Training = true, DropoutSeed = dropoutSeed });
        value.Backward();
        double lossValue = value.Item();

        // Global L2 norm over every gradient of both buffers, clipped as torch.nn.utils.clip_grad_norm_ does.
        double norm = Math.Sqrt(buffers.Sum(b => FlatBuffer.SumOfSquares(b.Gradients)));
        if (!double.IsFinite(norm) || !double.IsFinite(lossValue))
        {
            return (lossValue, NonFiniteTensors.Describe(step, lossValue, norm, NonFiniteTensors.First(buffers) ?? "loss"));
        }
        double coefficient = maxGradNorm / (norm + 1e-6);
        if (coefficient < 1)
        {
            foreach (var buffer in buffers)
            {
                FlatBuffer.Scale(buffer.Gradients, (float)coefficient);
            }
        }
        double learningRate = schedule.LearningRate(optimizers[0].StepCount);
        for (int i = 0; i < buffers.Count; i++)
        {
            optimizers[i].Step(buffers[i].Values, buffers[i].Gradients, learningRate);
        }
        return (lossValue, null);
    }

    /// <summary>
    /// BERT's decay rule, except for the pretraining heads (<c>cls.*</c>), which fine-tuning does not use: with zero
    /// gradients and no decay AdamW leaves them exactly as they are.
    /// </summary>
    private static ParameterSegment[] Segments(ParameterBuffer buffer) =>
        [.. buffer.Parameters.Select(p => new ParameterSegment(p.Offset, p.Value.Size,
            WeightDecayRule.AppliesTo(p.Name) && !p.Name.StartsWith("cls.", StringComparison.Ordinal)))];
}

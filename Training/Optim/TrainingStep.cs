using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Training.Optim;

/// <summary>What a training step reports: the mean loss over its micro-batches, the gradient norm before clipping, and whether it updated.</summary>
/// <param name="Updated">False when the loss or the gradient norm was not finite: then no parameter changed.</param>
internal readonly record struct StepOutcome(double Loss, double GradientNorm, bool Updated);

/// <summary>
/// One optimizer step, the same for pretraining and fine-tuning, in the order of llm.c's training loop. Everything
/// around it (the schedule, evaluation, checkpoints, rollback, budget planning) belongs to the caller.
/// </summary>
internal static class TrainingStep
{
    /// <summary>
    /// <paramref name="lossOf"/> runs the forward pass of micro-batch <c>micro</c> in training mode and returns its
    /// loss (a one-element tensor); <paramref name="dropoutSeed"/> gives each micro-batch its dropout masks.
    /// </summary>
    public static StepOutcome Run(ModelOptimizer optimizer, int microBatches, Func<int, ForwardContext, Tensor> lossOf,
        Func<int, ulong> dropoutSeed, double learningRate, double maxGradNorm)
    {
        // 1. Backward adds into the gradients: start them at zero.
        optimizer.ZeroGradients();
        double lossSum = 0;
        for (int micro = 0; micro < microBatches; micro++)
        {
            // The activations of this forward pass go back to the pool when the scope ends.
            using var scope = new TensorScope();

            // 2. Forward and loss.
            var context = new ForwardContext { Training = true, DropoutSeed = dropoutSeed(micro) };
            Tensor loss = lossOf(micro, context);

            // 3. Backward: d loss / d parameter, added into the gradient buffers.
            loss.Backward();
            lossSum += loss.Item();
        }
        double meanLoss = lossSum / microBatches;

        // 4. The gradient of the mean loss, clipped to a global norm of maxGradNorm.
        double gradientNorm = optimizer.AverageAndClip(microBatches, maxGradNorm);
        if (!double.IsFinite(gradientNorm) || !double.IsFinite(meanLoss))
        {
            return new StepOutcome(meanLoss, gradientNorm, Updated: false);
        }

        // 5. AdamW.
        optimizer.Step(learningRate);
        return new StepOutcome(meanLoss, gradientNorm, Updated: true);
    }
}

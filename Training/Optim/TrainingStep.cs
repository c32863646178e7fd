using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Training.Optim;

/// <summary>What a training step reports: the mean loss over its micro-batches, the gradient norm before clipping, and whether it updated.</summary>
/// <param name="Updated">False when the loss or the gradient norm was not finite: then no parameter changed.</param>
internal readonly record struct StepOutcome(double Loss, double GradientNorm, bool Updated);

/// <summary>
/// One optimizer step, the same for pretraining and fine-tuning, in the order of llm.c's training loop. Everything
/// around it (the schedule, evaluation, checkpoints, rollback, budget planning) belongs to the caller.
/// <para>
/// Nothing in the step waits for the device until its end: the loss is summed, the gradient norm and the clipping
/// factor computed, and a non-finite step skipped where the parameters are (<see cref="StepControl"/>); then one
/// download brings back those numbers and whatever <c>lossOf</c> added to <see cref="ModelOptimizer.StepResults"/>.
/// </para>
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
        // 1. Backward adds into the gradients: start them at zero. What the host reads of this step is gathered in
        //    one place on the device, starting with the step control: [loss sum, gradient norm, clip factor, apply].
        optimizer.ZeroGradients();
        var results = optimizer.StepResults;
        results.Clear();
        var control = results.Reserve(StepControl.Length, out var controlSlot);
        var lossSum = control.Slice(StepControl.LossSum, 1);
        for (int micro = 0; micro < microBatches; micro++)
        {
            // The activations of this forward pass go back to the pool when the scope ends.
            using var scope = new TensorScope();

            // 2. Forward and loss.
            var context = new ForwardContext { Training = true, DropoutSeed = dropoutSeed(micro) };
            Tensor loss = lossOf(micro, context);

            // 3. Backward: d loss / d parameter, added into the gradient buffers. The loss is summed where it is.
            loss.Backward();
            if (micro == 0)
            {
                lossSum.CopyFrom(loss);
            }
            else
            {
                TensorKernels.AddInto(lossSum, loss);
            }
        }

        // 4. The gradient of the mean loss; its global norm, the clipping factor for maxGradNorm, and whether the
        //    loss and the norm are finite.
        optimizer.AverageAndClip(microBatches, maxGradNorm, control);

        // 5. AdamW, from the clipped gradients; skipped when step 4 found a non-finite value.
        optimizer.Step(learningRate, control);

        // 6. The step's one download: what happened.
        results.Download();
        var outcome = results.Read(controlSlot);
        bool updated = outcome[StepControl.Apply] != 0f;
        if (updated)
        {
            optimizer.CountUpdate();
        }
        return new StepOutcome(outcome[StepControl.LossSum] / (double)microBatches, outcome[StepControl.GradientNorm], updated);
    }
}

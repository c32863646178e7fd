using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// Gradient accumulation: one optimizer step from N micro-batches whose gradients add up in the gradient buffer
/// (zero it before the first micro-batch only). The step must see the gradient of the mean loss over the N
/// micro-batches, as with one batch N times larger. Either divide each micro-batch loss by N before backward
/// (cheapest, as Hugging Face does) or, after summing, call <see cref="AverageMicroBatches"/> — never both.
/// Clip after averaging, so the norm is that of the mean gradient.
/// </summary>
internal static class GradientAccumulation
{
    /// <summary>Turns the sum of <paramref name="microBatchCount"/> micro-batch gradients into their mean (g ← g / N), on their device.</summary>
    public static void AverageMicroBatches(Tensor gradients, int microBatchCount)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatchCount, 1);
        if (microBatchCount > 1)
        {
            TensorKernels.Scale(gradients, 1f / microBatchCount, gradients);
        }
    }
}

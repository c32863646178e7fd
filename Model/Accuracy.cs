using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model;

/// <summary>Counts correct arg-max predictions.</summary>
public static class Accuracy
{
    /// <summary>
    /// Rows of logits [N, C] whose arg-max equals the target; rows with target <see cref="Ops.IgnoreIndex"/> are not counted.
    /// On a GPU the arg-max runs there and only one index per row comes back, not the logits.
    /// </summary>
    public static (int Correct, int Count) Count(Tensor logits, ReadOnlySpan<int> targets) =>
        Count(TensorKernels.ArgMaxRows(logits), targets);

    /// <summary>Predictions (one class per row) equal to the target; rows with target <see cref="Ops.IgnoreIndex"/> are not counted.</summary>
    public static (int Correct, int Count) Count(ReadOnlySpan<int> predictions, ReadOnlySpan<int> targets)
    {
        int correct = 0, count = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == Ops.IgnoreIndex)
            {
                continue;
            }
            count++;
            if (predictions[r] == targets[r])
            {
                correct++;
            }
        }
        return (correct, count);
    }

    /// <summary>Index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
}

using MiniBioBert.Engine;

namespace MiniBioBert.Model;

/// <summary>Counts correct arg-max predictions.</summary>
public static class Accuracy
{
    /// <summary>Rows of logits [N, C] whose arg-max equals the target; rows with target −100 are not counted.</summary>
    public static (int Correct, int Count) Count(Tensor logits, ReadOnlySpan<int> targets)
    {
        int classes = logits.Dim(-1);
        var values = logits.Span;
        int correct = 0, count = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == -100)
            {
                continue;
            }
            count++;
            if (ArgMax(values.Slice(r * classes, classes)) == targets[r])
            {
                correct++;
            }
        }
        return (correct, count);
    }

    /// <summary>Index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
}

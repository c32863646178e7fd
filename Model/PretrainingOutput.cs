using MiniBioBert.Engine;

namespace MiniBioBert.Model;

/// <summary>
/// What a pretraining forward pass returns: the losses (one-element tensors; <see cref="Loss"/> is the one to
/// backpropagate), the logits, and the arg-max of every logits row — the MLM rows (one per masked position, or per
/// position when the MLM head ran on every position), then the NSP rows — as <see cref="Predictions"/>, left on the
/// model's device. <see cref="Score(ReadOnlySpan{float}, double, double)"/> turns values read back into accuracies,
/// so a training step can read them with its other results in one download.
/// </summary>
/// <param name="Predictions">[MLM rows + NSP rows]: the column index of each row's largest logit, as a float.</param>
/// <param name="MlmTargets">The target of each MLM row (<c>Ops.IgnoreIndex</c>: not counted).</param>
/// <param name="NspTargets">The target of each NSP row.</param>
public sealed record PretrainingOutput(
    Tensor Loss,
    Tensor MlmLoss,
    Tensor NspLoss,
    Tensor MlmLogits,
    Tensor NspLogits,
    Tensor Predictions,
    int[] MlmTargets,
    int[] NspTargets)
{
    /// <summary>The scores from <see cref="Predictions"/>' values and the two mean losses, read back to the host.</summary>
    public PretrainingScores Score(ReadOnlySpan<float> predictions, double mlmLoss, double nspLoss)
    {
        int[] mlmPredictions = new int[MlmTargets.Length];
        int[] nspPredictions = new int[NspTargets.Length];
        for (int r = 0; r < mlmPredictions.Length; r++)
        {
            mlmPredictions[r] = (int)predictions[r];
        }
        for (int r = 0; r < nspPredictions.Length; r++)
        {
            nspPredictions[r] = (int)predictions[mlmPredictions.Length + r];
        }
        var (mlmCorrect, mlmCount) = Accuracy.Count(mlmPredictions, MlmTargets);
        var (nspCorrect, nspCount) = Accuracy.Count(nspPredictions, NspTargets);
        return new PretrainingScores(mlmLoss, nspLoss, mlmCorrect, mlmCount, nspCorrect, nspCount, mlmPredictions);
    }

    /// <summary>The scores, read now (on a GPU: three downloads; a training step reads them with its results instead).</summary>
    public PretrainingScores Score() => Score(Predictions.ToArray(), MlmLoss.Item(), NspLoss.Item());
}

/// <summary>
/// A pretraining forward pass's numbers on the host: the mean losses, the correct predictions and the counted rows
/// (MLM rows with a target, sentence pairs), and the arg-max token of each MLM row, for finer counts of the accuracy.
/// </summary>
public sealed record PretrainingScores(double MlmLoss, double NspLoss, int MlmCorrect, int MlmCount, int NspCorrect, int NspCount,
    int[] MlmPredictions)
{
    public double MlmAccuracy => MlmCount == 0 ? 0 : (double)MlmCorrect / MlmCount;

    public double NspAccuracy => NspCount == 0 ? 0 : (double)NspCorrect / NspCount;
}

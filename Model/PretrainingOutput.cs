using MiniBioBert.Engine;

namespace MiniBioBert.Model;

/// <summary>
/// What a pretraining forward pass returns: the losses (one-element tensors; <see cref="Loss"/> is the one to
/// backpropagate), the logits, and the accuracies reported beside the losses. <see cref="MlmPredictions"/> holds the
/// arg-max token of each row of <see cref="MlmLogits"/> (one row per masked position, or per position when the MLM
/// head ran on every position), computed once for the accuracy and for any finer count of it.
/// </summary>
public sealed record PretrainingOutput(
    Tensor Loss,
    Tensor MlmLoss,
    Tensor NspLoss,
    Tensor MlmLogits,
    Tensor NspLogits,
    int MlmCorrect,
    int MlmCount,
    int NspCorrect,
    int NspCount,
    int[] MlmPredictions)
{
    public double MlmAccuracy => MlmCount == 0 ? 0 : (double)MlmCorrect / MlmCount;

    public double NspAccuracy => NspCount == 0 ? 0 : (double)NspCorrect / NspCount;
}

using MiniBioBert.Engine;

namespace MiniBioBert.Model;

/// <summary>
/// One pretraining batch as the model consumes it. Per-token arrays are [B·T] row-major.
/// MLM targets come in both forms: <see cref="MlmLabels"/> ([B·T], <see cref="Ops.IgnoreIndex"/> = not predicted) and the sparse pair
/// <see cref="MaskedPositions"/> (flat indices b·T + t, ascending) / <see cref="MaskedLabels"/>.
/// </summary>
public sealed record PretrainingInputs(
    int BatchSize,
    int SequenceLength,
    int[] InputIds,
    int[] TokenTypeIds,
    int[] AttentionMask,
    int[] MlmLabels,
    int[] NspLabels)
{
    /// <summary>Flat positions whose label is not <see cref="Ops.IgnoreIndex"/>, in order.</summary>
    public int[] MaskedPositions { get; } = Enumerable.Range(0, MlmLabels.Length).Where(i => MlmLabels[i] != Ops.IgnoreIndex).ToArray();

    /// <summary>The labels at <see cref="MaskedPositions"/>.</summary>
    public int[] MaskedLabels => MaskedPositions.Select(i => MlmLabels[i]).ToArray();

    /// <summary>Number of non-padding tokens.</summary>
    public int RealTokenCount => AttentionMask.Count(m => m != 0);
}

using MiniBioBert.Engine;

namespace MiniBioBert.Training.Data;

/// <summary>
/// A batch of <see cref="BatchSize"/> masked sequences, each padded to <see cref="SequenceLength"/> (T).
/// Dense arrays are row-major [B, T]; the sparse view lists the predicted positions as flat indices b·T + t.
/// </summary>
internal sealed class PretrainingBatch
{
    /// <summary>
    /// The label of positions that are not predicted: <see cref="Ops.IgnoreIndex"/> itself, under the
    /// name the walkthrough (docs/walkthrough.md) uses; the value is defined only there.
    /// </summary>
    public const int IgnoreLabel = Ops.IgnoreIndex;

    internal PretrainingBatch(int batchSize, int sequenceLength)
    {
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        InputIds = new int[batchSize * sequenceLength];
        TokenTypeIds = new int[batchSize * sequenceLength];
        AttentionMask = new int[batchSize * sequenceLength];
        MlmLabels = new int[batchSize * sequenceLength];
        NspLabels = new int[batchSize];
    }

    /// <summary>Number of sequences (B).</summary>
    public int BatchSize { get; }

    /// <summary>Padded sequence length (T).</summary>
    public int SequenceLength { get; }

    /// <summary>Token ids after masking, [PAD] after the end: [B, T].</summary>
    public int[] InputIds { get; }

    /// <summary>0 for [CLS] A [SEP] and padding, 1 for B [SEP]: [B, T].</summary>
    public int[] TokenTypeIds { get; }

    /// <summary>1 for real tokens, 0 for padding: [B, T].</summary>
    public int[] AttentionMask { get; }

    /// <summary>The original token at predicted positions, <see cref="Ops.IgnoreIndex"/> elsewhere: [B, T].</summary>
    public int[] MlmLabels { get; }

    /// <summary>Predicted positions as flat indices b·T + t, ascending: [P].</summary>
    public int[] MaskedPositions { get; internal set; } = [];

    /// <summary>The original token at each of <see cref="MaskedPositions"/>: [P].</summary>
    public int[] MaskedLabels { get; internal set; } = [];

    /// <summary>0 when B follows A, 1 when B is random: [B].</summary>
    public int[] NspLabels { get; }

    /// <summary>Number of non-padding tokens in the batch.</summary>
    public int RealTokenCount { get; internal set; }
}

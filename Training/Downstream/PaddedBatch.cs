namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Sequences of different lengths padded to the longest one, as the encoder consumes them: every array is [B·T]
/// row-major, padding has id [PAD], token type 0 and attention mask 0.
/// </summary>
internal sealed record PaddedBatch(int BatchSize, int SequenceLength, int[] InputIds, int[] TokenTypeIds, int[] AttentionMask)
{
    /// <summary>Pads <paramref name="sequences"/> (each starting with [CLS]) with <paramref name="padId"/>.</summary>
    public static PaddedBatch Create(IReadOnlyList<int[]> sequences, int padId)
    {
        int batch = sequences.Count;
        int length = sequences.Max(s => s.Length);
        var ids = new int[batch * length];
        var mask = new int[batch * length];
        Array.Fill(ids, padId);
        for (int b = 0; b < batch; b++)
        {
            sequences[b].CopyTo(ids, b * length);
            mask.AsSpan(b * length, sequences[b].Length).Fill(1);
        }
        return new PaddedBatch(batch, length, ids, new int[batch * length], mask);
    }

    /// <summary>Per-token values (labels) padded like the ids, with <paramref name="padValue"/>: [B·T].</summary>
    public int[] PadTokenValues(IReadOnlyList<int[]> values, int padValue)
    {
        var padded = new int[BatchSize * SequenceLength];
        Array.Fill(padded, padValue);
        for (int b = 0; b < values.Count; b++)
        {
            values[b].CopyTo(padded, b * SequenceLength);
        }
        return padded;
    }
}

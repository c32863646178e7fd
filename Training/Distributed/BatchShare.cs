using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Distributed;

/// <summary>
/// A rank's share of a global batch. Every rank builds the same global batch of N × b rows (the data pipeline is a
/// pure function of the seed and the cursor) and trains on rows [rank·b, (rank + 1)·b) of it, so N ranks see
/// exactly the rows one process would see with a batch of N × b.
/// </summary>
internal static class BatchShare
{
    /// <summary>
    /// Rows [rank·B / N, (rank + 1)·B / N) of <paramref name="global"/> (B rows, N = <paramref name="ranks"/>; integer
    /// division), as a batch of their own: b = B / N rows each for a training batch; the last, smaller evaluation
    /// batch splits as evenly as it can, and a share may then be empty.
    /// </summary>
    public static PretrainingBatch Rows(PretrainingBatch global, int rank, int ranks)
    {
        if (ranks == 1)
        {
            return global;
        }
        int firstRow = rank * global.BatchSize / ranks, rows = (rank + 1) * global.BatchSize / ranks - firstRow;
        int length = global.SequenceLength;
        int first = firstRow * length, count = rows * length; // flat range [first, first + count) of the [B, T] arrays
        var share = new PretrainingBatch(rows, length);
        global.InputIds.AsSpan(first, count).CopyTo(share.InputIds);
        global.TokenTypeIds.AsSpan(first, count).CopyTo(share.TokenTypeIds);
        global.AttentionMask.AsSpan(first, count).CopyTo(share.AttentionMask);
        global.MlmLabels.AsSpan(first, count).CopyTo(share.MlmLabels);
        global.NspLabels.AsSpan(firstRow, rows).CopyTo(share.NspLabels);

        // The predicted positions b·T + t that fall in the share, renumbered from its first row.
        var positions = new List<int>();
        var labels = new List<int>();
        for (int i = 0; i < global.MaskedPositions.Length; i++)
        {
            int position = global.MaskedPositions[i];
            if (position >= first && position < first + count)
            {
                positions.Add(position - first);
                labels.Add(global.MaskedLabels[i]);
            }
        }
        share.MaskedPositions = [.. positions];
        share.MaskedLabels = [.. labels];
        share.RealTokenCount = share.AttentionMask.Count(flag => flag != 0);
        return share;
    }

    /// <summary>
    /// This rank's part of the global batch's loss, whose gradient the ranks sum. The global loss is
    /// (Σ of MLM cross-entropies over the M masked positions of all ranks) / M + (Σ of NSP cross-entropies over the
    /// B rows) / B; a rank holding M_r masked positions and B_r rows computes the means over its own, so its part is
    /// mlm_r · M_r / M + nsp_r · B_r / B. Summed over the ranks these are the global loss exactly, however the
    /// masked positions fell (averaging the ranks' means, as PyTorch's DistributedDataParallel does, weighs a
    /// masked position on a rank with few of them more).
    /// </summary>
    public static Tensor LossPart(PretrainingOutput output, PretrainingBatch share, PretrainingBatch global)
    {
        int masked = global.MaskedPositions.Length;
        float mlmWeight = masked == 0 ? 0f : (float)share.MaskedPositions.Length / masked;
        float nspWeight = (float)share.BatchSize / global.BatchSize;
        return Ops.Add(Ops.Scale(output.MlmLoss, mlmWeight), Ops.Scale(output.NspLoss, nspWeight));
    }
}

using MiniBioBert.Model;
using MiniBioBert.Training.Distributed;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// Sums of losses and correct predictions over several batches, turned into means: the MLM loss is averaged over
/// all masked positions (not over batches), the NSP loss over all sentence pairs.
/// </summary>
internal sealed class PretrainingMetrics
{
    private double _mlmLossSum;
    private double _nspLossSum;
    private long _mlmCorrect;
    private long _mlmCount;
    private long _nspCorrect;
    private long _nspCount;
    private long _nspIsNextCount;
    private long _mlmWordCount;
    private readonly long[] _mlmCorrectByInput = new long[3];
    private readonly long[] _mlmCountByInput = new long[3];

    /// <summary>Adds one forward pass's scores: its mean losses weighted by their counts, its correct predictions.</summary>
    public void Add(PretrainingScores scores)
    {
        if (scores.MlmCount > 0)
        {
            _mlmLossSum += scores.MlmLoss * scores.MlmCount;
        }
        _nspLossSum += scores.NspLoss * scores.NspCount;
        _mlmCorrect += scores.MlmCorrect;
        _mlmCount += scores.MlmCount;
        _nspCorrect += scores.NspCorrect;
        _nspCount += scores.NspCount;
    }

    /// <summary>
    /// Adds one forward pass's scores like <see cref="Add(PretrainingScores)"/>, and also counts the MLM predictions by what the
    /// model was shown at each masked position: <c>[MASK]</c> (80%: it must predict from context), a random token
    /// (10%) or the original token (10%: copying it is enough). A model that only learned to copy and to guess frequent
    /// tokens scores well on the kept positions and near the most-frequent-token baseline on the [MASK] ones.
    /// </summary>
    /// <param name="continuesWord">Which ids continue a word ("##" pieces), to count the masked words; null: words are not counted.</param>
    public void Add(PretrainingScores scores, PretrainingInputs inputs, int maskTokenId, IReadOnlyList<bool>? continuesWord = null)
    {
        Add(scores);
        if (continuesWord is not null)
        {
            _mlmWordCount += inputs.MaskedPositions.Count(t => !continuesWord[inputs.MlmLabels[t]]);
        }
        _nspIsNextCount += inputs.NspLabels.Count(label => label == 0);
        var positions = inputs.MaskedPositions;
        // One prediction per masked position (the sparse head), or per position of the batch (the dense head). The
        // lengths tell them apart: they are equal only when every position is masked, and then both indexings agree.
        bool perMaskedPosition = scores.MlmPredictions.Length == positions.Length;
        for (int i = 0; i < positions.Length; i++)
        {
            int predicted = scores.MlmPredictions[perMaskedPosition ? i : positions[i]];
            int label = inputs.MlmLabels[positions[i]];
            int shown = inputs.InputIds[positions[i]];
            var kind = shown == maskTokenId ? MaskedInput.MaskToken : shown == label ? MaskedInput.Kept : MaskedInput.Random;
            _mlmCountByInput[(int)kind]++;
            if (predicted == label)
            {
                _mlmCorrectByInput[(int)kind]++;
            }
        }
    }

    /// <summary>
    /// Replaces every sum and count by its sum over the ranks of <paramref name="group"/>, so that each rank holds the
    /// metrics of all the batches the ranks saw together (counts travel as doubles: exact below 2⁵³).
    /// </summary>
    public void SumOver(ProcessGroup group)
    {
        if (group.Size == 1)
        {
            return;
        }
        double[] sums = [_mlmLossSum, _nspLossSum, _mlmCorrect, _mlmCount, _nspCorrect, _nspCount, _nspIsNextCount, _mlmWordCount,
            .. _mlmCorrectByInput.Select(count => (double)count), .. _mlmCountByInput.Select(count => (double)count)];
        group.SumInPlace(sums);
        (_mlmLossSum, _nspLossSum) = (sums[0], sums[1]);
        (_mlmCorrect, _mlmCount, _nspCorrect, _nspCount) = ((long)sums[2], (long)sums[3], (long)sums[4], (long)sums[5]);
        (_nspIsNextCount, _mlmWordCount) = ((long)sums[6], (long)sums[7]);
        for (int kind = 0; kind < _mlmCorrectByInput.Length; kind++)
        {
            _mlmCorrectByInput[kind] = (long)sums[8 + kind];
            _mlmCountByInput[kind] = (long)sums[8 + _mlmCorrectByInput.Length + kind];
        }
    }

    /// <summary>
    /// Fraction of masked positions predicted right among those whose input was <paramref name="kind"/>
    /// (counted only by <see cref="Add(PretrainingScores, PretrainingInputs, int, IReadOnlyList{bool})"/>; null when there were none).
    /// </summary>
    public double? MlmAccuracyWhere(MaskedInput kind) =>
        _mlmCountByInput[(int)kind] == 0 ? null : (double)_mlmCorrectByInput[(int)kind] / _mlmCountByInput[(int)kind];

    /// <summary>True when every loss added so far is finite (a batch without masked positions counts as finite).</summary>
    public bool LossesAreFinite => double.IsFinite(_mlmLossSum) && double.IsFinite(_nspLossSum);

    /// <summary>Mean cross-entropy over masked positions.</summary>
    public double MlmLoss => _mlmCount == 0 ? double.NaN : _mlmLossSum / _mlmCount;

    /// <summary>Mean cross-entropy over sentence pairs.</summary>
    public double NspLoss => _nspCount == 0 ? double.NaN : _nspLossSum / _nspCount;

    /// <summary>MLM loss + NSP loss.</summary>
    public double Loss => MlmLoss + NspLoss;

    /// <summary>exp(mean MLM loss).</summary>
    public double MlmPerplexity => Math.Exp(MlmLoss);

    /// <summary>
    /// exp(the MLM loss summed over the masked pieces / the masked words): the perplexity per word, which compares across
    /// vocabularies where the perplexity per piece does not. Meaningful when whole words are masked (<c>eval --masking
    /// whole-word</c>): then a word's loss is the sum of its pieces' losses. Null when words were not counted.
    /// </summary>
    public double? MlmPerplexityPerWord => _mlmWordCount == 0 ? null : Math.Exp(_mlmLossSum / _mlmWordCount);

    /// <summary>Masked words counted (the masked pieces that do not continue a word).</summary>
    public long MlmWords => _mlmWordCount;

    /// <summary>Fraction of masked positions predicted right.</summary>
    public double MlmAccuracy => _mlmCount == 0 ? 0 : (double)_mlmCorrect / _mlmCount;

    /// <summary>Fraction of sentence pairs classified right.</summary>
    public double NspAccuracy => _nspCount == 0 ? 0 : (double)_nspCorrect / _nspCount;

    /// <summary>
    /// The NSP accuracy of always answering the more common label of the pairs counted (BERT's pairing makes "not next"
    /// more common: a chunk of one sentence always takes a random B). An NSP accuracy
    /// at this value means the head learned nothing. Counted only by <see cref="Add(PretrainingScores, PretrainingInputs, int, IReadOnlyList{bool})"/>.
    /// </summary>
    public double NspMajorityBaseline => _nspCount == 0 ? 0 : (double)Math.Max(_nspIsNextCount, _nspCount - _nspIsNextCount) / _nspCount;

    /// <summary>Masked positions counted.</summary>
    public long MlmPredictions => _mlmCount;

    /// <summary>Sentence pairs counted.</summary>
    public long NspPredictions => _nspCount;
}

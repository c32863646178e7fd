using MiniBioBert.Engine;

namespace MiniBioBert.Training.Data;

/// <summary>
/// The instances of one epoch in their (shuffled) order, cut into batches on demand. Batch k depends only on the
/// seed, the epoch and k: each instance is masked with its own stream derived from (seed, epoch, instance index),
/// so any batch can be re-created alone (this is what makes resuming exact).
/// </summary>
internal sealed class PretrainingEpoch
{
    private readonly TokenizedCorpus _corpus;
    private readonly PretrainingInstance[] _instances;
    private readonly int[] _order;
    private readonly MaskedLanguageModelMasker _masker;
    private readonly PretrainingDataOptions _options;
    private readonly SpecialTokenIds _specials;
    private readonly ulong _seed;

    private PretrainingEpoch(
        int epoch, TokenizedCorpus corpus, PretrainingInstance[] instances, int[] order, int batchSize, bool dropLast,
        PretrainingDataOptions options, SpecialTokenIds specials, ulong seed)
    {
        Epoch = epoch;
        _corpus = corpus;
        _instances = instances;
        _order = order;
        BatchSize = batchSize;
        BatchCount = dropLast ? instances.Length / batchSize : (instances.Length + batchSize - 1) / batchSize;
        _options = options;
        _specials = specials;
        _seed = seed;
        _masker = new MaskedLanguageModelMasker(options, specials);
    }

    /// <summary>The epoch number (0-based).</summary>
    public int Epoch { get; }

    /// <summary>Sequences per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Number of batches (the last one may be smaller when the epoch keeps its remainder).</summary>
    public int BatchCount { get; }

    /// <summary>The epoch's instances in build order (before shuffling).</summary>
    public IReadOnlyList<PretrainingInstance> Instances => _instances;

    /// <summary>
    /// Builds the instances of <paramref name="documents"/> for <paramref name="epoch"/> from streams derived from
    /// <paramref name="seed"/>, shuffles them when asked, and drops the last partial batch when asked.
    /// </summary>
    internal static PretrainingEpoch Create(
        TokenizedCorpus corpus, IReadOnlyList<int> documents, SpecialTokenIds specials, PretrainingDataOptions options,
        int batchSize, int epoch, ulong seed, bool shuffle, bool dropLast)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        specials.Validate();
        var random = DeterministicRandom.Derive(seed, DataStreams.Instances, epoch);
        var instances = PretrainingInstanceBuilder.Build(corpus, documents, options, ref random).ToArray();
        var order = Enumerable.Range(0, instances.Length).ToArray();
        if (shuffle)
        {
            var shuffler = DeterministicRandom.Derive(seed, DataStreams.Shuffle, epoch);
            shuffler.Shuffle(order.AsSpan());
        }
        return new PretrainingEpoch(epoch, corpus, instances, order, batchSize, dropLast, options, specials, seed);
    }

    /// <summary>Batch <paramref name="batchIndex"/> of this epoch, masked.</summary>
    public PretrainingBatch GetBatch(int batchIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, BatchCount);
        var first = batchIndex * BatchSize;
        var rows = Math.Min(BatchSize, _instances.Length - first);
        var batch = new PretrainingBatch(rows, _options.MaxSequenceLength);
        var positions = new List<int>(rows * _options.MaxPredictionsPerSequence);
        var labels = new List<int>(rows * _options.MaxPredictionsPerSequence);
        for (var row = 0; row < rows; row++)
        {
            var instanceIndex = _order[first + row];
            FillRow(batch, row, _instances[instanceIndex], instanceIndex, positions, labels);
        }
        batch.MaskedPositions = [.. positions];
        batch.MaskedLabels = [.. labels];
        return batch;
    }

    /// <summary>The batches from <paramref name="firstBatch"/> to the end of the epoch.</summary>
    public IEnumerable<PretrainingBatch> Batches(int firstBatch = 0)
    {
        for (var k = firstBatch; k < BatchCount; k++)
        {
            yield return GetBatch(k);
        }
    }

    // Row layout: [CLS] A [SEP] B [SEP] [PAD]…; token type 1 from B to its [SEP].
    private void FillRow(PretrainingBatch batch, int row, PretrainingInstance instance, int instanceIndex, List<int> positions, List<int> labels)
    {
        var length = batch.SequenceLength;
        var offset = row * length;
        var tokens = _corpus.TokenIds;
        var ids = batch.InputIds.AsSpan(offset, length);
        var a = instance.ALength;
        var b = instance.BLength;
        var used = instance.SequenceLength;
        ids[0] = _specials.Cls;
        tokens[instance.AStart..instance.AEnd].CopyTo(ids[1..]);
        ids[1 + a] = _specials.Sep;
        tokens[instance.BStart..instance.BEnd].CopyTo(ids[(2 + a)..]);
        ids[2 + a + b] = _specials.Sep;
        ids[used..].Fill(_specials.Pad);
        batch.TokenTypeIds.AsSpan(offset + 2 + a, b + 1).Fill(1);
        batch.AttentionMask.AsSpan(offset, used).Fill(1);
        batch.MlmLabels.AsSpan(offset, length).Fill(Ops.IgnoreIndex);
        batch.NspLabels[row] = instance.NspLabel;
        batch.RealTokenCount += used;

        var random = DeterministicRandom.Derive(_seed, DataStreams.Masking, Epoch, instanceIndex);
        Span<int> chosen = stackalloc int[_options.MaxPredictionsPerSequence];
        Span<int> originals = stackalloc int[_options.MaxPredictionsPerSequence];
        var count = _masker.Mask(ids[..used], chosen, originals, ref random);
        for (var i = 0; i < count; i++)
        {
            batch.MlmLabels[offset + chosen[i]] = originals[i];
            positions.Add(offset + chosen[i]);
            labels.Add(originals[i]);
        }
    }
}

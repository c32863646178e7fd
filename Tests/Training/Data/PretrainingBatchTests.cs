using MiniBioBert.Engine.Cpu;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class PretrainingBatchTests
{
    private static readonly FakeTokenizer Tokenizer = FakeTokenizer.WithNumberedWords(200);
    private static readonly SpecialTokenIds Specials = Tokenizer.Specials;
    private static readonly TokenizedCorpus Corpus =
        TestCorpora.Tokenize(TestCorpora.RandomDocuments(300, 1, 20, 1, 25, 220, seed: 11), Tokenizer);
    private static readonly int[] AllDocuments = Enumerable.Range(0, Corpus.DocumentCount).ToArray();

    [Test]
    public void RowsAreClsASepBSepThenPaddingWithMatchingTypesAndMask()
    {
        var source = NewSource(new PretrainingDataOptions { MaxSequenceLength = 64 }, batchSize: 8);
        foreach (var batch in source.GetEpoch(0).Batches().Take(20))
        {
            var realTokens = 0;
            for (var row = 0; row < batch.BatchSize; row++)
            {
                var original = OriginalRow(batch, row);
                var types = Row(batch.TokenTypeIds, batch, row);
                var mask = Row(batch.AttentionMask, batch, row);
                var used = mask.Count(m => m == 1);
                var firstB = Array.IndexOf(types, 1);
                realTokens += used;

                Assert.That(mask[..used], Has.All.EqualTo(1));
                Assert.That(mask[used..], Has.All.EqualTo(0));
                Assert.That(original[0], Is.EqualTo(Specials.Cls));
                Assert.That(original[firstB - 1], Is.EqualTo(Specials.Sep));
                Assert.That(original[used - 1], Is.EqualTo(Specials.Sep));
                Assert.That(original.Count(id => id == Specials.Sep), Is.EqualTo(2));
                Assert.That(original[used..], Has.All.EqualTo(Specials.Pad));
                Assert.That(types[..firstB], Has.All.EqualTo(0));
                Assert.That(types[firstB..used], Has.All.EqualTo(1));
                Assert.That(types[used..], Has.All.EqualTo(0));
                Assert.That(firstB, Is.GreaterThanOrEqualTo(3), "segment A has at least one token");
                Assert.That(used - firstB, Is.GreaterThanOrEqualTo(2), "segment B has at least one token");
            }
            Assert.That(batch.RealTokenCount, Is.EqualTo(realTokens));
            Assert.That(batch.NspLabels, Has.All.InRange(0, 1));
        }
    }

    [Test]
    public void SparseAndDenseLabelsAgreeAndSpecialTokensAreNeverPredicted()
    {
        var source = NewSource(new PretrainingDataOptions { MaxSequenceLength = 64 }, batchSize: 8);
        foreach (var batch in source.GetEpoch(0).Batches())
        {
            var dense = Enumerable.Range(0, batch.MlmLabels.Length).Where(i => batch.MlmLabels[i] != CrossEntropyKernels.IgnoreIndex).ToArray();
            Assert.That(batch.MaskedPositions, Is.EqualTo(dense));
            Assert.That(batch.MaskedLabels, Is.EqualTo(dense.Select(i => batch.MlmLabels[i])));
            Assert.That(batch.MaskedLabels.Where(Specials.IsStructural), Is.Empty);
            Assert.That(batch.MaskedPositions.Select(p => batch.AttentionMask[p]), Has.All.EqualTo(1));
        }
    }

    [Test]
    public void PredictionCountIsFifteenPercentOfMaskableTokensAndCorruptionIs80_10_10()
    {
        var source = NewSource(new PretrainingDataOptions { MaxSequenceLength = 64 }, batchSize: 16);
        long candidates = 0, predictions = 0, masked = 0, unchanged = 0, random = 0;
        foreach (var epoch in new[] { 0, 1, 2 })
        {
            foreach (var batch in source.GetEpoch(epoch).Batches())
            {
                for (var row = 0; row < batch.BatchSize; row++)
                {
                    var rowCandidates = OriginalRow(batch, row).Count(id => !Specials.IsStructural(id));
                    var rowPredictions = Row(batch.MlmLabels, batch, row).Count(l => l != CrossEntropyKernels.IgnoreIndex);
                    var expected = Math.Min(20, Math.Max(1, (int)Math.Round(0.15 * rowCandidates, MidpointRounding.ToEven)));
                    Assert.That(rowPredictions, Is.EqualTo(expected));
                    candidates += rowCandidates;
                    predictions += rowPredictions;
                }
                for (var i = 0; i < batch.MaskedPositions.Length; i++)
                {
                    var input = batch.InputIds[batch.MaskedPositions[i]];
                    if (input == Specials.Mask)
                    {
                        masked++;
                    }
                    else if (input == batch.MaskedLabels[i])
                    {
                        unchanged++;
                    }
                    else
                    {
                        random++;
                        Assert.That(input, Is.Not.AnyOf(Specials.Pad, Specials.Unk, Specials.Cls, Specials.Sep));
                        Assert.That(input, Is.InRange(0, Specials.VocabSize - 1));
                    }
                }
            }
        }
        // Rounding per sequence moves the overall rate by at most 0.5 / (maskable tokens), on average far less.
        Assert.That((double)predictions / candidates, Is.EqualTo(0.15).Within(0.01));
        // N ≈ 10^4 predictions; each share is binomial: sigma = sqrt(p(1-p)/N) ≤ 0.005; allow 4 sigma.
        // A random replacement equals the original with probability 1/200, adding 0.0005 to "unchanged".
        var n = (double)predictions;
        Assert.That(predictions, Is.GreaterThan(8000));
        Assert.That(masked / n, Is.EqualTo(0.8).Within(4 * Math.Sqrt(0.8 * 0.2 / n)));
        Assert.That(unchanged / n, Is.EqualTo(0.1).Within(4 * Math.Sqrt(0.1 * 0.9 / n) + 0.0005));
        Assert.That(random / n, Is.EqualTo(0.1).Within(4 * Math.Sqrt(0.1 * 0.9 / n)));
    }

    [Test]
    public void LongSequencesPredictAtMostTwentyTokens()
    {
        var source = NewSource(new PretrainingDataOptions { MaxSequenceLength = 256, ShortSequenceProbability = 0 }, batchSize: 4);
        var perRow = source.GetEpoch(0).Batches()
            .SelectMany(b => Enumerable.Range(0, b.BatchSize).Select(r => Row(b.MlmLabels, b, r).Count(l => l != CrossEntropyKernels.IgnoreIndex)))
            .ToList();
        Assert.That(perRow, Has.All.InRange(1, 20));
        Assert.That(perRow.Max(), Is.EqualTo(20));
    }

    [Test]
    public void SameSeedGivesIdenticalBatchesAndEpochsDiffer()
    {
        var options = new PretrainingDataOptions { MaxSequenceLength = 64, Seed = 77 };
        var first = NewSource(options, batchSize: 8).Read(DataCursor.Start).Take(60).ToList();
        var second = NewSource(options, batchSize: 8).Read(DataCursor.Start).Take(60).ToList();
        var otherSeed = NewSource(options with { Seed = 78 }, batchSize: 8).Read(DataCursor.Start).First();

        for (var i = 0; i < first.Count; i++)
        {
            Assert.That(second[i].Position, Is.EqualTo(first[i].Position));
            AssertSameBatch(second[i].Batch, first[i].Batch);
        }
        Assert.That(otherSeed.Batch.InputIds, Is.Not.EqualTo(first[0].Batch.InputIds));

        var source = NewSource(options, batchSize: 8);
        var epoch0 = source.GetEpoch(0);
        var epoch1 = source.GetEpoch(1);
        Assert.That(epoch1.Instances, Is.Not.EqualTo(epoch0.Instances), "segment pairs are rebuilt each epoch");
        Assert.That(epoch1.GetBatch(0).MaskedPositions, Is.Not.EqualTo(epoch0.GetBatch(0).MaskedPositions));
    }

    [Test]
    public void ResumingFromACursorReproducesTheFollowingBatchesAcrossEpochs()
    {
        var options = new PretrainingDataOptions { MaxSequenceLength = 64 };
        var source = NewSource(options, batchSize: 16);
        var perEpoch = source.BatchesPerEpoch(0);
        var uninterrupted = source.Read(DataCursor.Start).Take(perEpoch + 10).ToList();

        var k = perEpoch - 5;
        var resumed = NewSource(options, batchSize: 16).Read(uninterrupted[k - 1].Next).Take(15).ToList();

        Assert.That(uninterrupted[perEpoch - 1].Next, Is.EqualTo(new DataCursor(1, 0)));
        Assert.That(resumed[0].Position, Is.EqualTo(new DataCursor(0, k)));
        for (var i = 0; i < resumed.Count; i++)
        {
            Assert.That(resumed[i].Position, Is.EqualTo(uninterrupted[k + i].Position));
            AssertSameBatch(resumed[i].Batch, uninterrupted[k + i].Batch);
        }
        Assert.That(uninterrupted.Select(b => b.Batch.BatchSize), Has.All.EqualTo(16), "training drops the partial last batch");
    }

    [Test]
    public void EvaluationBatchesAreFixedAndCoverEveryInstance()
    {
        var options = new PretrainingDataOptions { MaxSequenceLength = 64 };
        var heldOut = AllDocuments[..30];
        var first = PretrainingBatchSource.CreateEvaluation(Corpus, heldOut, Specials, options, batchSize: 16);
        var second = PretrainingBatchSource.CreateEvaluation(Corpus, heldOut, Specials, options, batchSize: 16);

        var firstBatches = first.Batches().ToList();
        Assert.That(firstBatches.Sum(b => b.BatchSize), Is.EqualTo(first.Instances.Count));
        foreach (var (a, b) in firstBatches.Zip(second.Batches()))
        {
            AssertSameBatch(b, a);
        }
    }

    [Test]
    public void MostFrequentTokenBaselineScoresTheCommonestTrainingToken()
    {
        // Every other word is "w0", so w0 (id 5) is by far the commonest token.
        var documents = TestCorpora.RandomDocuments(200, 2, 10, 2, 20, 200, seed: 5)
            .Select(d => d.Select(s => string.Join(' ', s.Split(' ').Select((w, i) => i % 2 == 0 ? "w0" : w))).ToList())
            .ToList();
        var corpus = TestCorpora.Tokenize(documents, Tokenizer);
        var split = CorpusSplit.Create(corpus.DocumentCount, 0.1, seed: 1);
        var options = new PretrainingDataOptions { MaxSequenceLength = 64 };
        var evaluation = PretrainingBatchSource.CreateEvaluation(corpus, split.HeldOutDocuments, Specials, options, 16);

        var baseline = MostFrequentTokenBaseline.Compute(corpus, split.TrainingDocuments, Specials, evaluation);

        var labels = evaluation.Batches().SelectMany(b => b.MaskedLabels).ToList();
        Assert.That(baseline.TokenId, Is.EqualTo(5));
        Assert.That(baseline.Predictions, Is.EqualTo(labels.Count));
        Assert.That(baseline.Accuracy, Is.EqualTo(labels.Count(l => l == 5) / (double)labels.Count));
        Assert.That(baseline.Accuracy, Is.GreaterThan(0.3));
    }

    private static PretrainingBatchSource NewSource(PretrainingDataOptions options, int batchSize) =>
        new(Corpus, AllDocuments, Specials, options, batchSize);

    private static int[] Row(int[] values, PretrainingBatch batch, int row) =>
        values.AsSpan(row * batch.SequenceLength, batch.SequenceLength).ToArray();

    // The row before masking: input ids with the original token put back at every predicted position.
    private static int[] OriginalRow(PretrainingBatch batch, int row)
    {
        var ids = Row(batch.InputIds, batch, row);
        var labels = Row(batch.MlmLabels, batch, row);
        for (var t = 0; t < ids.Length; t++)
        {
            if (labels[t] != CrossEntropyKernels.IgnoreIndex)
            {
                ids[t] = labels[t];
            }
        }
        return ids;
    }

    private static void AssertSameBatch(PretrainingBatch actual, PretrainingBatch expected)
    {
        Assert.That(actual.InputIds, Is.EqualTo(expected.InputIds));
        Assert.That(actual.TokenTypeIds, Is.EqualTo(expected.TokenTypeIds));
        Assert.That(actual.AttentionMask, Is.EqualTo(expected.AttentionMask));
        Assert.That(actual.MlmLabels, Is.EqualTo(expected.MlmLabels));
        Assert.That(actual.MaskedPositions, Is.EqualTo(expected.MaskedPositions));
        Assert.That(actual.MaskedLabels, Is.EqualTo(expected.MaskedLabels));
        Assert.That(actual.NspLabels, Is.EqualTo(expected.NspLabels));
    }
}

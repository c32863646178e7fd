using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

/// <summary>Whole-word masking: every piece of a chosen word is predicted, and masked, replaced or kept together.</summary>
public class WholeWordMaskingTests
{
    // A vocabulary of 100 ids: 0–4 the specials, 5–49 word starts, 50–99 "##" pieces.
    private static readonly SpecialTokenIds Specials = new(Pad: 0, Unk: 1, Cls: 2, Sep: 3, Mask: 4, VocabSize: 100)
    {
        ContinuesWord = Enumerable.Range(0, 100).Select(id => id >= 50).ToArray(),
    };

    private static readonly PretrainingDataOptions Options = new() { Masking = MaskingUnit.WholeWord };

    [Test]
    public void ChosenWordsArePredictedWholeAndCorruptedAlike()
    {
        var masker = new MaskedLanguageModelMasker(Options, Specials);
        int maskedWords = 0, words = 0;
        for (int n = 0; n < 2000; n++)
        {
            var random = DeterministicRandom.Derive(7, DataStreams.Masking, n);
            int[] original = RandomSequence(ref random, out var wordOf);
            int[] sequence = (int[])original.Clone();
            var positions = new int[Options.MaxPredictionsPerSequence];
            var labels = new int[Options.MaxPredictionsPerSequence];

            int count = masker.Mask(sequence, positions, labels, ref random);

            var predicted = positions[..count];
            Assert.That(predicted, Is.Ordered.And.Unique);
            Assert.That(labels[..count], Is.EqualTo(predicted.Select(t => original[t])));
            foreach (var word in predicted.Select(t => wordOf[t]).Distinct())
            {
                int[] pieces = Enumerable.Range(0, original.Length).Where(t => wordOf[t] == word).ToArray();
                Assert.That(predicted.Intersect(pieces), Is.EquivalentTo(pieces), "a chosen word is predicted whole");
                int masks = pieces.Count(t => sequence[t] == Specials.Mask);
                Assert.That(masks, Is.EqualTo(0).Or.EqualTo(pieces.Length), "[MASK] on every piece of a word or on none");
                words++;
                maskedWords += masks > 0 ? 1 : 0;
            }
            // Pieces that are not predicted are untouched; the count is round(15 %) of the maskable pieces, less
            // at most the pieces of a word that did not fit (words here have at most 3 pieces).
            Assert.That(Enumerable.Range(0, original.Length).Where(t => !predicted.Contains(t)).All(t => sequence[t] == original[t]));
            var target = masker.PredictionCount(original.Count(id => !Specials.IsStructural(id)));
            Assert.That(count, Is.InRange(Math.Max(1, target - 2), target));
        }
        // 80 % of the words become [MASK]: 4 standard deviations of a binomial over this many words.
        double share = (double)maskedWords / words, sigma = Math.Sqrt(0.8 * 0.2 / words);
        Assert.That(share, Is.EqualTo(0.8).Within(4 * sigma));
    }

    [Test]
    public void PieceMaskingIsUnchangedByTheVocabularyKnowingItsWords()
    {
        var withWords = new MaskedLanguageModelMasker(new PretrainingDataOptions(), Specials);
        var without = new MaskedLanguageModelMasker(new PretrainingDataOptions(), Specials with { ContinuesWord = null });
        var seedRandom = DeterministicRandom.Derive(3, DataStreams.Masking);
        int[] sequence = RandomSequence(ref seedRandom, out _);
        int[] a = (int[])sequence.Clone(), b = (int[])sequence.Clone();
        int[] pa = new int[20], la = new int[20], pb = new int[20], lb = new int[20];
        var r1 = DeterministicRandom.Derive(5, DataStreams.Masking);
        var r2 = DeterministicRandom.Derive(5, DataStreams.Masking);
        Assert.That(withWords.Mask(a, pa, la, ref r1), Is.EqualTo(without.Mask(b, pb, lb, ref r2)));
        Assert.That(a, Is.EqualTo(b));
        Assert.That(pa, Is.EqualTo(pb));
    }

    [Test]
    public void WholeWordMaskingNeedsAVocabularyThatMarksItsPieces()
    {
        var masker = new MaskedLanguageModelMasker(Options, Specials with { ContinuesWord = null });
        var random = DeterministicRandom.Derive(1, DataStreams.Masking);
        Assert.Throws<InvalidOperationException>(() => masker.Mask(new[] { 2, 5, 6, 3 }, new int[20], new int[20], ref random));
    }

    // [CLS] words [SEP] words [SEP] [PAD]…: 30–60 words of 1–3 pieces; wordOf[t] numbers the word of piece t (−1 for specials).
    private static int[] RandomSequence(ref DeterministicRandom random, out int[] wordOf)
    {
        var ids = new List<int> { Specials.Cls };
        var words = new List<int> { -1 };
        int wordCount = 30 + random.NextInt(31);
        for (int w = 0; w < wordCount; w++)
        {
            if (w == wordCount / 2)
            {
                ids.Add(Specials.Sep);
                words.Add(-1);
            }
            int pieces = 1 + random.NextInt(3);
            for (int p = 0; p < pieces; p++)
            {
                ids.Add(p == 0 ? 5 + random.NextInt(45) : 50 + random.NextInt(50));
                words.Add(w);
            }
        }
        ids.Add(Specials.Sep);
        words.Add(-1);
        while (ids.Count < 128)
        {
            ids.Add(Specials.Pad);
            words.Add(-1);
        }
        wordOf = [.. words];
        return [.. ids];
    }
}

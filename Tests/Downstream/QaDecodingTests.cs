using MiniBioBert.Model.Tokenization;
using MiniBioBert.Tests.Reliability;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

/// <summary>Packing with a document stride, decoding spans back to the context's own text, and BioASQ's measures.</summary>
public class QaDecodingTests
{
    private static readonly WordPieceTokenizer Tokenizer = new(Vocabulary.Load(Sandbox.TinyVocabulary));

    [Test]
    public void WordSpansCutLikeBertsBasicTokenizerAndKeepTheOriginalCharacters()
    {
        const string text = "Bazex syndrome (ABC-12), the  KINASE.";
        var words = WordSpans.Split(text).Select(w => text[w.Start..w.End]);
        Assert.That(words, Is.EqualTo(new[] { "Bazex", "syndrome", "(", "ABC", "-", "12", ")", ",", "the", "KINASE", "." }));
    }

    [Test]
    public void LongContextsAreCoveredByStridedWindowsAndEachPieceHasOneBestWindow()
    {
        // 15 context pieces, room for 16 − 3 − 2 = 11 per window, stride 3: windows start at 0, 3 and 6.
        var pair = new QaPair("q_001", "q", "the gene", "the patient cells of the tumor and the dose of the gene kinase is .",
            [new QaAnswer("gene kinase", 50)]);
        var encoder = new QaFeatureEncoder(Tokenizer, new QaOptions { MaxQuestionLength = 2, DocStride = 3 }, maxSequenceLength: 16);
        var features = encoder.Encode([pair], training: true);

        Assert.That(features, Has.Count.EqualTo(3));
        Assert.That(features.Select(f => f.InputIds.Length), Is.All.LessThanOrEqualTo(16));
        var words = WordSpans.Split(pair.Context);
        // Every context word is seen, and its pieces have their most-context window exactly once.
        var seen = features.SelectMany(f => f.Words.Where((w, p) => w >= 0 && f.MaxContext[p])).ToList();
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, words.Count)));
        foreach (var feature in features)
        {
            Assert.That(feature.InputIds[feature.Start] == Tokenizer.Vocabulary.ClsId, Is.EqualTo(feature.Start == 0));
            if (feature.Start > 0)
            {
                Assert.That(pair.Context[words[feature.Words[feature.Start]].Start..words[feature.Words[feature.End]].End], Is.EqualTo("gene kinase"));
            }
        }
        Assert.That(features.Count(f => f.Start > 0), Is.EqualTo(2), "the last two windows hold the answer");
    }

    [Test]
    public void DecodingReturnsTheContextsTextRespectsTheMaximumLengthAndMergesSnippets()
    {
        var options = new QaOptions { MaxQuestionLength = 2, DocStride = 8, MaxAnswerLength = 2, NBest = 5 };
        var encoder = new QaFeatureEncoder(Tokenizer, options, maxSequenceLength: 16);
        var first = new QaPair("q_001", "q", "gene", "The KINASE binds DNA.", []);
        var second = new QaPair("q_002", "q", "gene", "a kinase", []);
        var features = encoder.Encode([first, second], training: false);
        // [CLS] gene [SEP] the kinase bind ##s dna . [SEP]: the best end, "##s" (6), would make a span of 3 pieces from the
        // best start, "kinase" (4); so "KINASE" alone (start 4, end 4: 5 + 6) beats "binds" (start 5, end 6: 0 + 9).
        float[] Logits(int length, params (int Position, float Value)[] values)
        {
            var logits = new float[length];
            foreach (var (position, value) in values)
            {
                logits[position] = value;
            }
            return logits;
        }
        var firstAnswers = SpanDecoder.PairAnswers(first, [features[0]], [Logits(features[0].InputIds.Length, (4, 5f))],
            [Logits(features[0].InputIds.Length, (6, 9f), (4, 6f))], options);
        Assert.That(firstAnswers[0].Text, Is.EqualTo("KINASE"), "the original case, and no span longer than 2 pieces");
        Assert.That(firstAnswers.Sum(a => a.Probability), Is.EqualTo(1).Within(1e-12));

        var secondAnswers = SpanDecoder.PairAnswers(second, [features[1]], [Logits(features[1].InputIds.Length, (4, 9f))],
            [Logits(features[1].InputIds.Length, (4, 9f))], options);
        var merged = SpanDecoder.QuestionAnswers(firstAnswers.Concat(secondAnswers), count: 5);
        Assert.That(merged.Count(a => a.Text.Equals("kinase", StringComparison.OrdinalIgnoreCase)), Is.EqualTo(1), "one entry per text, case-insensitive");
        Assert.That(merged[0].Text, Is.EqualTo("kinase"), "the more probable spelling is kept");
        Assert.That(merged, Has.Count.LessThanOrEqualTo(5));
    }

    [Test]
    public void BioAsqMeasuresCountSynonymsAndRanks()
    {
        var gold = new Dictionary<string, string[]> { ["a"] = ["PD-L1", "CD274"], ["b"] = ["BRCA1"], ["c"] = ["TP53"] };
        var answers = new Dictionary<string, List<RankedAnswer>>
        {
            ["a"] = [new("cd274 ", 0.6), new("PD-L1", 0.4)],      // right at rank 1 (a synonym, other case and spacing)
            ["b"] = [new("BRCA2", 0.5), new("x", 0.3), new("BRCA1", 0.2)], // right at rank 3
            ["c"] = [new("p53", 1.0)],                          // wrong
        };
        var scores = BioAsqScores.Evaluate(answers, gold);
        Assert.That(scores.StrictAccuracy, Is.EqualTo(1.0 / 3));
        Assert.That(scores.LenientAccuracy, Is.EqualTo(2.0 / 3));
        Assert.That(scores.MeanReciprocalRank, Is.EqualTo((1 + 1.0 / 3) / 3).Within(1e-15));
    }
}

using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class PretrainingInstanceBuilderTests
{
    private static readonly FakeTokenizer Tokenizer = FakeTokenizer.WithNumberedWords(100);

    [Test]
    public void SegmentsAreNonEmptyFitTheLengthAndComeFromTheRightDocuments()
    {
        // Sentences of up to 150 words force truncation at a sequence length of 64.
        var corpus = TestCorpora.Tokenize(TestCorpora.RandomDocuments(120, 1, 25, 1, 150, 100, seed: 1), Tokenizer);
        var options = new PretrainingDataOptions { MaxSequenceLength = 64 };
        var documents = Enumerable.Range(0, corpus.DocumentCount).ToArray();
        var random = new DeterministicRandom(5);

        var instances = PretrainingInstanceBuilder.Build(corpus, documents, options, ref random);

        Assert.That(instances, Has.Count.GreaterThan(200));
        foreach (var instance in instances)
        {
            Assert.That(instance.ALength, Is.GreaterThanOrEqualTo(1));
            Assert.That(instance.BLength, Is.GreaterThanOrEqualTo(1));
            Assert.That(instance.SequenceLength, Is.LessThanOrEqualTo(64));
            var documentOfA = DocumentOf(corpus, instance.AStart);
            Assert.That(DocumentOf(corpus, instance.AEnd - 1), Is.EqualTo(documentOfA));
            Assert.That(DocumentOf(corpus, instance.BEnd - 1), Is.EqualTo(DocumentOf(corpus, instance.BStart)));
            if (instance.IsRandomNext)
            {
                Assert.That(DocumentOf(corpus, instance.BStart), Is.Not.EqualTo(documentOfA));
            }
            else
            {
                Assert.That(DocumentOf(corpus, instance.BStart), Is.EqualTo(documentOfA));
                Assert.That(instance.BStart, Is.GreaterThanOrEqualTo(instance.AEnd));
            }
        }
        Assert.That(instances.Select(i => i.SequenceLength).Max(), Is.EqualTo(64), "long chunks are truncated to exactly the maximum");
    }

    [Test]
    public void NextSentenceLabelIsBalancedForTwoSentenceChunks()
    {
        // Every document is two sentences of 5-60 tokens and fits the target length (125), so each document's first chunk
        // holds both sentences and gets a random B with probability exactly 0.5. (The sentence put back after a random B
        // forms a one-sentence chunk, which always gets a random B; those instances are excluded here.)
        const int documentCount = 2000;
        var corpus = TestCorpora.Tokenize(TestCorpora.RandomDocuments(documentCount, 2, 2, 5, 60, 100, seed: 2), Tokenizer);
        var options = new PretrainingDataOptions { ShortSequenceProbability = 0 };
        var random = new DeterministicRandom(9);
        var instances = PretrainingInstanceBuilder.Build(corpus, Enumerable.Range(0, documentCount).ToArray(), options, ref random);

        var documentStarts = Enumerable.Range(0, documentCount).Select(d => corpus.SentenceStart(corpus.FirstSentence(d))).ToHashSet();
        var firstChunks = instances.Where(i => documentStarts.Contains(i.AStart)).ToList();
        var randomRate = firstChunks.Average(i => (double)i.NspLabel);

        // Binomial(2000, 0.5): sigma = sqrt(0.25 / 2000) = 0.0112; allow 4 sigma.
        Assert.That(firstChunks, Has.Count.EqualTo(documentCount));
        Assert.That(randomRate, Is.EqualTo(0.5).Within(4 * Math.Sqrt(0.25 / documentCount)));
        Assert.That(instances.Count, Is.EqualTo(documentCount + firstChunks.Count(i => i.IsRandomNext)),
            "each random B puts the second sentence back, which then forms its own (random-B) instance");
        Assert.That(instances.Except(firstChunks).All(i => i.IsRandomNext), Is.True);
    }

    [Test]
    public void TruncationRemovesFromTheLongerSideAtBothEnds()
    {
        var frontCuts = 0;
        var backCuts = 0;
        for (ulong seed = 0; seed < 20; seed++)
        {
            var random = new DeterministicRandom(seed);
            int aStart = 0, aEnd = 100, bStart = 100, bEnd = 110;
            PretrainingInstanceBuilder.TruncatePair(ref aStart, ref aEnd, ref bStart, ref bEnd, 50, ref random);
            Assert.That((aEnd - aStart, bEnd - bStart), Is.EqualTo((40, 10)));
            frontCuts += aStart;
            backCuts += 100 - aEnd;
        }
        // 60 removals per seed, each from the front with probability 1/2: both ends are cut many times.
        Assert.That(frontCuts, Is.GreaterThan(400));
        Assert.That(backCuts, Is.GreaterThan(400));
    }

    [Test]
    public void ShortTargetsAppearWithTheirProbability()
    {
        var corpus = TestCorpora.Tokenize(TestCorpora.RandomDocuments(200, 20, 20, 8, 8, 100, seed: 3), Tokenizer);
        var documents = Enumerable.Range(0, corpus.DocumentCount).ToArray();
        var alwaysShort = new PretrainingDataOptions { ShortSequenceProbability = 1 };
        var never = new PretrainingDataOptions { ShortSequenceProbability = 0 };
        var random = new DeterministicRandom(4);
        var shortInstances = PretrainingInstanceBuilder.Build(corpus, documents, alwaysShort, ref random);
        random = new DeterministicRandom(4);
        var fullInstances = PretrainingInstanceBuilder.Build(corpus, documents, never, ref random);

        Assert.That(shortInstances.Average(i => i.SequenceLength), Is.LessThan(0.75 * fullInstances.Average(i => i.SequenceLength)));
    }

    [Test]
    public void OnlyTheGivenDocumentsAreUsedNotEvenAsRandomNext()
    {
        var corpus = TestCorpora.Tokenize(TestCorpora.RandomDocuments(100, 1, 10, 1, 30, 100, seed: 6), Tokenizer);
        var split = CorpusSplit.Create(corpus.DocumentCount, 0.3, seed: 2);
        var random = new DeterministicRandom(3);
        var instances = PretrainingInstanceBuilder.Build(corpus, split.TrainingDocuments, new PretrainingDataOptions { MaxSequenceLength = 32 }, ref random);

        var used = instances.SelectMany(i => new[] { DocumentOf(corpus, i.AStart), DocumentOf(corpus, i.BStart) }).Distinct();
        Assert.That(used, Is.SubsetOf(split.TrainingDocuments));
        Assert.That(instances.Any(i => i.IsRandomNext), Is.True);
    }

    [Test]
    public void NeedsTwoDocuments()
    {
        var corpus = TestCorpora.Tokenize(TestCorpora.RandomDocuments(1, 3, 3, 3, 3, 100, seed: 3), Tokenizer);
        var random = new DeterministicRandom(1);
        var error = Assert.Throws<ArgumentException>(() => PretrainingInstanceBuilder.Build(corpus, [0], new PretrainingDataOptions(), ref random));
        Assert.That(error!.Message, Does.Contain("at least 2 documents"));
    }

    private static int DocumentOf(TokenizedCorpus corpus, int tokenOffset)
    {
        var document = 0;
        while (corpus.SentenceStart(corpus.FirstSentence(document + 1)) <= tokenOffset)
        {
            document++;
        }
        return document;
    }
}

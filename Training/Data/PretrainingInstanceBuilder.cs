namespace MiniBioBert.Training.Data;

/// <summary>
/// Cuts documents into segment pairs with the rules of BERT's <c>create_pretraining_data</c>:
/// <list type="number">
/// <item>Per document, the target length is <c>MaxSequenceLength − 3</c>, or with probability
/// <c>ShortSequenceProbability</c> a uniform length in [2, that].</item>
/// <item>Sentences are added to a chunk until it reaches the target (or the document ends).</item>
/// <item>A is the chunk's first k sentences, k uniform in [1, sentences − 1] (k = 1 for a one-sentence chunk).</item>
/// <item>With probability <c>RandomNextProbability</c>, and always for a one-sentence chunk, B is taken from another
/// document chosen uniformly, starting at a uniform sentence and running until it reaches target − |A| tokens;
/// the chunk's unused sentences are put back (the walk resumes at them). Otherwise B is the rest of the chunk.</item>
/// <item>While |A| + |B| exceeds the target, one token is removed from the longer segment (B on ties), from its front or
/// back with equal probability.</item>
/// </list>
/// Instances are ranges into the corpus, so building an epoch copies no tokens.
/// </summary>
internal static class PretrainingInstanceBuilder
{
    /// <summary>
    /// The instances of <paramref name="documents"/> (document order, then chunk order), drawing from <paramref name="random"/>.
    /// Random next segments come only from <paramref name="documents"/>, which therefore needs at least two documents.
    /// </summary>
    public static List<PretrainingInstance> Build(
        TokenizedCorpus corpus, IReadOnlyList<int> documents, PretrainingDataOptions options, ref DeterministicRandom random)
    {
        options.Validate();
        if (documents.Count < 2)
        {
            throw new ArgumentException($"Building next-sentence pairs needs at least 2 documents; this split has {documents.Count}.", nameof(documents));
        }
        var instances = new List<PretrainingInstance>(corpus.TokenCount / Math.Max(1, options.MaxPairTokens) + documents.Count);
        for (var position = 0; position < documents.Count; position++)
        {
            AddDocument(corpus, documents, position, options, ref random, instances);
        }
        return instances;
    }

    private static void AddDocument(
        TokenizedCorpus corpus, IReadOnlyList<int> documents, int position, PretrainingDataOptions options,
        ref DeterministicRandom random, List<PretrainingInstance> instances)
    {
        var maxTokens = options.MaxPairTokens;
        var target = random.NextBool(options.ShortSequenceProbability) ? random.NextInt(2, maxTokens) : maxTokens;
        var document = documents[position];
        var end = corpus.FirstSentence(document + 1);
        var chunkStart = corpus.FirstSentence(document);
        var sentence = chunkStart;
        while (sentence < end)
        {
            var chunkEnd = sentence + 1;
            var chunkTokens = corpus.SentenceStart(chunkEnd) - corpus.SentenceStart(chunkStart);
            if (chunkEnd < end && chunkTokens < target)
            {
                sentence = chunkEnd;
                continue;
            }
            var chunkSentences = chunkEnd - chunkStart;
            var aEndSentence = chunkStart + (chunkSentences >= 2 ? random.NextInt(1, chunkSentences - 1) : 1);
            var aStart = corpus.SentenceStart(chunkStart);
            var aEnd = corpus.SentenceStart(aEndSentence);
            int bStart, bEnd, next;
            var isRandomNext = chunkSentences == 1 || random.NextBool(options.RandomNextProbability);
            if (isRandomNext)
            {
                (bStart, bEnd) = RandomNextSegment(corpus, documents, position, target - (aEnd - aStart), ref random);
                next = aEndSentence;
            }
            else
            {
                (bStart, bEnd) = (aEnd, corpus.SentenceStart(chunkEnd));
                next = chunkEnd;
            }
            TruncatePair(ref aStart, ref aEnd, ref bStart, ref bEnd, maxTokens, ref random);
            instances.Add(new PretrainingInstance(aStart, aEnd, bStart, bEnd, isRandomNext));
            chunkStart = sentence = next;
        }
    }

    // B from a uniformly chosen other document: whole sentences from a uniform start until at least targetLength tokens.
    private static (int Start, int End) RandomNextSegment(
        TokenizedCorpus corpus, IReadOnlyList<int> documents, int position, int targetLength, ref DeterministicRandom random)
    {
        var other = random.NextInt(documents.Count - 1);
        var document = documents[other >= position ? other + 1 : other];
        var first = corpus.FirstSentence(document);
        var end = corpus.FirstSentence(document + 1);
        var sentence = first + random.NextInt(end - first);
        var start = corpus.SentenceStart(sentence);
        do
        {
            sentence++;
        }
        while (sentence < end && corpus.SentenceStart(sentence) - start < targetLength);
        return (start, corpus.SentenceStart(sentence));
    }

    /// <summary>Removes tokens one at a time from the longer segment (B on ties), front or back with equal probability,
    /// until the pair fits <paramref name="maxTokens"/>.</summary>
    internal static void TruncatePair(ref int aStart, ref int aEnd, ref int bStart, ref int bEnd, int maxTokens, ref DeterministicRandom random)
    {
        while ((aEnd - aStart) + (bEnd - bStart) > maxTokens)
        {
            var fromFront = random.NextBool(0.5);
            if (aEnd - aStart > bEnd - bStart)
            {
                RemoveOne(ref aStart, ref aEnd, fromFront);
            }
            else
            {
                RemoveOne(ref bStart, ref bEnd, fromFront);
            }
        }
    }

    private static void RemoveOne(ref int start, ref int end, bool fromFront)
    {
        if (fromFront)
        {
            start++;
        }
        else
        {
            end--;
        }
    }
}

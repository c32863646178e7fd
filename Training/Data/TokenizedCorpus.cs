namespace MiniBioBert.Training.Data;

/// <summary>
/// A corpus tokenized once, stored flat: all word-piece ids in one array, sentence boundaries as offsets into it,
/// and document boundaries as offsets into the sentences. Sentence <c>s</c> is
/// <c>TokenIds[SentenceStart(s) .. SentenceStart(s + 1)]</c>; document <c>d</c> holds sentences
/// <c>FirstSentence(d) .. FirstSentence(d + 1) - 1</c>. Empty sentences and documents are never stored.
/// </summary>
internal sealed class TokenizedCorpus
{
    private readonly int[] _tokenIds;
    private readonly int[] _sentenceStarts;
    private readonly int[] _documentSentenceStarts;
    private readonly string[] _documentIds;

    /// <summary>Wraps the arrays after checking that the offsets are consistent and the ids lie in [0, vocabSize).</summary>
    internal TokenizedCorpus(int[] tokenIds, int[] sentenceStarts, int[] documentSentenceStarts, string[] documentIds, int vocabSize)
    {
        _tokenIds = tokenIds;
        _sentenceStarts = sentenceStarts;
        _documentSentenceStarts = documentSentenceStarts;
        _documentIds = documentIds;
        Validate(vocabSize);
    }

    /// <summary>Number of documents.</summary>
    public int DocumentCount => _documentIds.Length;

    /// <summary>Number of (non-empty) sentences.</summary>
    public int SentenceCount => _sentenceStarts.Length - 1;

    /// <summary>Number of word-piece tokens.</summary>
    public int TokenCount => _tokenIds.Length;

    /// <summary>All token ids, sentence after sentence.</summary>
    public ReadOnlySpan<int> TokenIds => _tokenIds;

    /// <summary>The id of document <paramref name="document"/> for messages (file and line, or PMID).</summary>
    public string DocumentId(int document) => _documentIds[document];

    /// <summary>Index of the first sentence of <paramref name="document"/>; <c>FirstSentence(DocumentCount)</c> is <see cref="SentenceCount"/>.</summary>
    public int FirstSentence(int document) => _documentSentenceStarts[document];

    /// <summary>Number of sentences of <paramref name="document"/> (at least 1).</summary>
    public int SentencesIn(int document) => _documentSentenceStarts[document + 1] - _documentSentenceStarts[document];

    /// <summary>Offset of sentence <paramref name="sentence"/> in <see cref="TokenIds"/>; <c>SentenceStart(SentenceCount)</c> is <see cref="TokenCount"/>.</summary>
    public int SentenceStart(int sentence) => _sentenceStarts[sentence];

    /// <summary>The token ids of one sentence.</summary>
    public ReadOnlySpan<int> Sentence(int sentence) =>
        _tokenIds.AsSpan(_sentenceStarts[sentence], _sentenceStarts[sentence + 1] - _sentenceStarts[sentence]);

    /// <summary>"N documents, N sentences, N tokens".</summary>
    public override string ToString() => $"{DocumentCount:N0} documents, {SentenceCount:N0} sentences, {TokenCount:N0} tokens";

    internal int[] TokenIdArray => _tokenIds;

    internal int[] SentenceStartArray => _sentenceStarts;

    internal int[] DocumentSentenceStartArray => _documentSentenceStarts;

    internal string[] DocumentIdArray => _documentIds;

    /// <summary>
    /// Tokenizes every sentence of <paramref name="documents"/> once. Documents are read in blocks and each block is
    /// tokenized in parallel; the result keeps the input order, so it does not depend on the thread count.
    /// </summary>
    public static TokenizedCorpus Build(IEnumerable<CorpusDocument> documents, CorpusTokenizer tokenizer, int documentsPerBlock = 1024)
    {
        tokenizer.Specials.Validate();
        var tokens = new List<int>();
        var sentenceStarts = new List<int> { 0 };
        var documentSentenceStarts = new List<int> { 0 };
        var documentIds = new List<string>();
        foreach (var block in documents.Chunk(documentsPerBlock))
        {
            var encoded = new int[block.Length][][];
            Parallel.For(0, block.Length, i => encoded[i] = block[i].Sentences.Select(tokenizer.Encode).ToArray());
            for (var i = 0; i < block.Length; i++)
            {
                var sentencesBefore = sentenceStarts.Count;
                foreach (var sentence in encoded[i].Where(ids => ids.Length > 0))
                {
                    if ((long)tokens.Count + sentence.Length > int.MaxValue)
                    {
                        throw new InvalidDataException($"The corpus has more than {int.MaxValue:N0} tokens (at document {block[i].Id}); use fewer files.");
                    }
                    tokens.AddRange(sentence);
                    sentenceStarts.Add(tokens.Count);
                }
                if (sentenceStarts.Count > sentencesBefore)
                {
                    documentSentenceStarts.Add(sentenceStarts.Count - 1);
                    documentIds.Add(block[i].Id);
                }
            }
        }
        return new TokenizedCorpus([.. tokens], [.. sentenceStarts], [.. documentSentenceStarts], [.. documentIds], tokenizer.Specials.VocabSize);
    }

    private void Validate(int vocabSize)
    {
        CheckOffsets(_sentenceStarts, _tokenIds.Length, "sentence");
        CheckOffsets(_documentSentenceStarts, _sentenceStarts.Length - 1, "document");
        if (_documentSentenceStarts.Length != _documentIds.Length + 1)
        {
            throw new InvalidDataException($"Tokenized corpus: {_documentIds.Length} document ids for {_documentSentenceStarts.Length - 1} documents.");
        }
        for (var i = 0; i < _tokenIds.Length; i++)
        {
            if ((uint)_tokenIds[i] >= (uint)vocabSize)
            {
                var sentence = Array.BinarySearch(_sentenceStarts, i);
                sentence = sentence >= 0 ? sentence : ~sentence - 1;
                var document = Array.BinarySearch(_documentSentenceStarts, sentence);
                document = document >= 0 ? document : ~document - 1;
                throw new InvalidDataException(
                    $"Token id {_tokenIds[i]} lies outside the vocabulary [0, {vocabSize}) (document {_documentIds[document]}, sentence {sentence - _documentSentenceStarts[document] + 1}).");
            }
        }
    }

    private static void CheckOffsets(int[] offsets, int total, string what)
    {
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != total)
        {
            throw new InvalidDataException($"Tokenized corpus: the {what} offsets do not run from 0 to {total}.");
        }
        for (var i = 1; i < offsets.Length; i++)
        {
            if (offsets[i] <= offsets[i - 1])
            {
                throw new InvalidDataException($"Tokenized corpus: {what} {i - 1} is empty or its offsets decrease.");
            }
        }
    }
}

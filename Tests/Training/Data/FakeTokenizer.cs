using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

/// <summary>
/// A stand-in for WordPiece in tests: lower-cased whitespace words looked up in a fixed vocabulary
/// ([PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4, then the words), unknown words → [UNK].
/// </summary>
internal sealed class FakeTokenizer
{
    public static readonly SpecialTokenIds BaseSpecials = new(Pad: 0, Unk: 1, Cls: 2, Sep: 3, Mask: 4, VocabSize: 5);

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public FakeTokenizer(IEnumerable<string> words, string options = "fake")
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        foreach (var word in words.Select(w => w.ToLowerInvariant()).Distinct())
        {
            _ids[word] = tokens.Count;
            tokens.Add(word);
        }
        Tokenizer = new CorpusTokenizer(Encode, BaseSpecials with { VocabSize = tokens.Count }, CorpusTokenizer.FingerprintOf(tokens, options));
    }

    /// <summary>Words "w0" … "w{count-1}".</summary>
    public static FakeTokenizer WithNumberedWords(int count, string options = "fake") =>
        new(Enumerable.Range(0, count).Select(i => $"w{i}"), options);

    public CorpusTokenizer Tokenizer { get; }

    public SpecialTokenIds Specials => Tokenizer.Specials;

    private int[] Encode(string text) => text
        .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
        .Select(word => _ids.TryGetValue(word.ToLowerInvariant(), out var id) ? id : BaseSpecials.Unk)
        .ToArray();
}

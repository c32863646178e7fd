using System.Security.Cryptography;
using System.Text;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Data;

/// <summary>
/// What the pipeline needs from a tokenizer: a function from a sentence to its word-piece ids (without
/// [CLS]/[SEP]), the special ids, and a fingerprint of the vocabulary and options (the cache key).
/// Tests build one from a fake tokenizer; <see cref="FromWordPiece"/> wraps the real one.
/// </summary>
/// <param name="Encode">Sentence → word-piece ids, no specials. Must be thread-safe (sentences are tokenized in parallel).</param>
/// <param name="Specials">Special token ids and vocabulary size.</param>
/// <param name="Fingerprint">Changes whenever the ids produced for some text could change (see <see cref="FingerprintOf"/>).</param>
internal sealed record CorpusTokenizer(Func<string, int[]> Encode, SpecialTokenIds Specials, string Fingerprint)
{
    /// <summary>Wraps a WordPiece tokenizer; the fingerprint hashes every vocabulary token and the lower-casing option.</summary>
    public static CorpusTokenizer FromWordPiece(WordPieceTokenizer tokenizer)
    {
        var vocabulary = tokenizer.Vocabulary;
        var tokens = Enumerable.Range(0, vocabulary.Count).Select(vocabulary.GetToken);
        return new CorpusTokenizer(
            tokenizer.EncodeIds,
            SpecialTokenIds.From(vocabulary),
            FingerprintOf(tokens, $"wordpiece;lowercase={tokenizer.LowerCase}"));
    }

    /// <summary>SHA-256 (hex) of the vocabulary tokens in id order and an options string.</summary>
    public static string FingerprintOf(IEnumerable<string> vocabularyTokens, string options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(options + "\n"));
        foreach (var token in vocabularyTokens)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(token + "\n"));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}

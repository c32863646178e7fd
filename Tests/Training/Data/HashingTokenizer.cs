using System.Text;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

/// <summary>
/// A tokenizer-shaped stand-in for real text (the WordPiece tokenizer is not needed by the data tests):
/// lower-cased runs of letters/digits and single punctuation marks, each mapped to 5 + FNV-1a(word) mod 30000.
/// </summary>
internal static class HashingTokenizer
{
    public static readonly SpecialTokenIds Specials = FakeTokenizer.BaseSpecials with { VocabSize = 30_005 };

    public static CorpusTokenizer Create() => new(Encode, Specials, "hashing-30000");

    private static int[] Encode(string text)
    {
        var ids = new List<int>();
        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }
            Flush(word, ids);
            if (!char.IsWhiteSpace(c))
            {
                word.Append(c);
                Flush(word, ids);
            }
        }
        Flush(word, ids);
        return [.. ids];
    }

    private static void Flush(StringBuilder word, List<int> ids)
    {
        if (word.Length == 0)
        {
            return;
        }
        ids.Add(5 + (int)(Fnv1a.Hash(word.ToString()) % 30_000));
        word.Clear();
    }
}

using System.Text;

namespace MiniBioBert.Model.Tokenization;

/// <summary>
/// BERT's pre-tokenization into words, as Hugging Face <c>BertTokenizer</c> does it before WordPiece:
/// special tokens such as "[MASK]" are kept whole; text cleaning (drop U+0000, U+FFFD and control characters,
/// whitespace becomes a word break); CJK ideographs become words of their own; then each whitespace-separated
/// token is lower-cased, stripped of accents (NFD, then drop category Mn) and split at every punctuation character.
/// </summary>
/// <remarks>
/// Works on code points (<see cref="Rune"/>); an unpaired UTF-16 surrogate reads as U+FFFD and is dropped.
/// Lower-casing maps each code point alone, as Hugging Face does (so there is no final-sigma rule), with the
/// one full mapping Python adds: U+0130 "İ" → "i" + U+0307.
/// When <see cref="LowerCase"/> is false the text is neither lower-cased nor accent-stripped (and, unlike recent
/// Hugging Face versions, not NFC-normalized).
/// </remarks>
public sealed class BasicTokenizer(bool lowerCase = true)
{
    /// <summary>Tokens kept whole wherever they appear in the text (case-sensitive).</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } =
        [Vocabulary.PadToken, Vocabulary.UnkToken, Vocabulary.ClsToken, Vocabulary.SepToken, Vocabulary.MaskToken];

    private const int CapitalIWithDot = 0x130, CombiningDotAbove = 0x307;

    [ThreadStatic] private static CodePointBuffer? t_rawToken;
    [ThreadStatic] private static CodePointBuffer? t_lowered;
    [ThreadStatic] private static CodePointBuffer? t_normalized;

    /// <summary>Whether words are lower-cased and stripped of accents.</summary>
    public bool LowerCase { get; } = lowerCase;

    /// <summary>The words of <paramref name="text"/>. Never throws.</summary>
    public List<string> Tokenize(string text)
    {
        var words = new WordList();
        Split(text, words);
        var result = new List<string>(words.Count);
        for (int i = 0; i < words.Count; i++)
        {
            result.Add(words[i].ToString());
        }

        return result;
    }

    /// <summary>Appends the words of <paramref name="text"/> to <paramref name="words"/>.</summary>
    internal void Split(ReadOnlySpan<char> text, WordList words)
    {
        var rawToken = t_rawToken ??= new CodePointBuffer();
        rawToken.Clear();
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == '[' && MatchSpecialToken(text[i..]) is { } special)
            {
                FlushToken(rawToken, words);
                words.Append(special);
                words.EndWord();
                i += special.Length;
                continue;
            }

            // An unpaired surrogate decodes as U+FFFD (consuming one unit) and is then dropped below.
            Rune.DecodeFromUtf16(text[i..], out Rune rune, out int consumed);
            i += consumed;
            int cp = rune.Value;
            if (cp is 0 or 0xFFFD || BertCharacterClasses.IsControl(rune))
            {
                continue;
            }

            if (BertCharacterClasses.IsWordSeparator(rune))
            {
                FlushToken(rawToken, words);
            }
            else if (BertCharacterClasses.IsChineseCharacter(cp))
            {
                FlushToken(rawToken, words);
                rawToken.Add(cp);
                FlushToken(rawToken, words);
            }
            else
            {
                rawToken.Add(cp);
            }
        }

        FlushToken(rawToken, words);
    }

    private static string? MatchSpecialToken(ReadOnlySpan<char> text)
    {
        foreach (string special in SpecialTokens)
        {
            if (text.StartsWith(special, StringComparison.Ordinal))
            {
                return special;
            }
        }

        return null;
    }

    /// <summary>Normalizes one whitespace-separated token and splits it at punctuation into words.</summary>
    private void FlushToken(CodePointBuffer rawToken, WordList words)
    {
        if (rawToken.Count == 0)
        {
            return;
        }

        // Hugging Face keeps a cleaned token equal to a special token whole ("never_split"). With lower-casing that
        // never happens: it lower-cases the text outside special tokens first, so such a token reads "[mask]".
        if (!LowerCase && IsSpecialToken(rawToken.AsSpan()))
        {
            AppendCodePoints(rawToken.AsSpan(), words);
            words.EndWord();
            rawToken.Clear();
            return;
        }

        ReadOnlySpan<int> token = rawToken.AsSpan();
        if (LowerCase)
        {
            var normalized = t_normalized ??= new CodePointBuffer();
            normalized.Clear();
            LowerCaseAndStripAccents(rawToken, normalized);
            token = normalized.AsSpan();
        }

        foreach (int cp in token)
        {
            var rune = new Rune(cp);
            if (BertCharacterClasses.IsPunctuation(rune))
            {
                words.EndWord();
                words.Append(rune);
                words.EndWord();
            }
            else
            {
                words.Append(rune);
            }
        }

        words.EndWord();
        rawToken.Clear();
    }

    /// <summary>Writes the lower-cased NFD form of <paramref name="token"/>, without category Mn, to the empty <paramref name="output"/>.</summary>
    private static void LowerCaseAndStripAccents(CodePointBuffer token, CodePointBuffer output)
    {
        var lowered = t_lowered ??= new CodePointBuffer();
        lowered.Clear();
        foreach (int cp in token.AsSpan())
        {
            if (cp == CapitalIWithDot)
            {
                lowered.Add('i');
                lowered.Add(CombiningDotAbove);
            }
            else
            {
                lowered.Add(Rune.ToLowerInvariant(new Rune(cp)).Value);
            }
        }

        CanonicalDecomposition.Decompose(lowered.AsSpan(), output);
        var decomposed = output.AsSpan();
        int kept = 0;
        foreach (int cp in decomposed)
        {
            if (!CanonicalDecomposition.IsNonSpacingMark(cp))
            {
                decomposed[kept++] = cp;
            }
        }

        output.Truncate(kept);
    }

    private static bool IsSpecialToken(ReadOnlySpan<int> token)
    {
        if (token[0] != '[')
        {
            return false;
        }

        foreach (string special in SpecialTokens)
        {
            if (special.Length == token.Length && Matches(special, token))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string text, ReadOnlySpan<int> cps)
    {
        for (int i = 0; i < cps.Length; i++)
        {
            if (text[i] != cps[i])
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendCodePoints(ReadOnlySpan<int> cps, WordList words)
    {
        foreach (int cp in cps)
        {
            words.Append(new Rune(cp));
        }
    }
}

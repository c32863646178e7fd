using System.Collections.Concurrent;
using System.Text;

namespace MiniBioBert.Model.Tokenization;

/// <summary>
/// Tokenizer that reproduces Hugging Face <c>BertTokenizer</c> (tokenize_chinese_chars=True, strip_accents
/// following <paramref name="lowerCase"/>): <see cref="BasicTokenizer"/> words, then WordPiece pieces by greedy
/// longest-match-first with "##" continuations. A word becomes [UNK] when some part of it has no piece or when it is
/// longer than <see cref="MaxInputCharsPerWord"/> code points. Thread-safe; never throws on any input string.
/// </summary>
public sealed class WordPieceTokenizer(Vocabulary vocabulary, bool lowerCase = true)
{
    /// <summary>Words longer than this many code points become [UNK] (Hugging Face's max_input_chars_per_word).</summary>
    public const int MaxInputCharsPerWord = 100;

    /// <summary>At most this many distinct words keep their piece ids in the cache; later words are looked up each time.</summary>
    public const int MaxCachedWords = 200_000;

    [ThreadStatic] private static WordList? t_words;

    private readonly BasicTokenizer _basicTokenizer = new(lowerCase);
    private readonly ConcurrentDictionary<string, int[]> _wordCache = new(StringComparer.Ordinal);
    private int _cachedWordCount;

    /// <summary>The vocabulary that maps pieces to ids.</summary>
    public Vocabulary Vocabulary { get; } = vocabulary;

    /// <summary>Whether text is lower-cased and stripped of accents.</summary>
    public bool LowerCase { get; } = lowerCase;

    /// <summary>Word pieces of <paramref name="text"/>, without [CLS]/[SEP].</summary>
    public List<string> Tokenize(string text)
    {
        var ids = new List<int>();
        AppendIds(text, ids);
        return ids.ConvertAll(Vocabulary.GetToken);
    }

    /// <summary>Ids of the word pieces of <paramref name="text"/>, without [CLS]/[SEP].</summary>
    public int[] EncodeIds(string text)
    {
        var ids = new List<int>();
        AppendIds(text, ids);
        return [.. ids];
    }

    /// <summary>Appends the ids of the word pieces of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void AppendIds(ReadOnlySpan<char> text, List<int> ids)
    {
        var words = t_words ??= new WordList();
        words.Clear();
        _basicTokenizer.Split(text, words);
        for (int i = 0; i < words.Count; i++)
        {
            AppendWordIds(words[i], ids);
        }
    }

    /// <summary>
    /// [CLS] A [SEP] (B [SEP]) with token types (0 up to and including the first [SEP], 1 after) and an attention
    /// mask of ones. When too long, one piece at a time is cut from the end of the longer side (B on a tie), as
    /// Hugging Face's "longest_first" truncation does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> leaves no room for the special tokens.</exception>
    public EncodedInput Encode(string textA, string? textB = null, int maxLength = 512)
    {
        int specialCount = textB is null ? 2 : 3;
        if (maxLength < specialCount)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength,
                $"maxLength must be at least {specialCount} to hold [CLS] and [SEP].");
        }

        var a = new List<int>();
        AppendIds(textA, a);
        var b = new List<int>();
        if (textB is not null)
        {
            AppendIds(textB, b);
        }

        TruncateLongestFirst(a, b, maxLength - specialCount);

        int length = a.Count + b.Count + specialCount;
        var inputIds = new int[length];
        var tokenTypeIds = new int[length];
        int position = 0;
        inputIds[position++] = Vocabulary.ClsId;
        a.CopyTo(inputIds, position);
        position += a.Count;
        inputIds[position++] = Vocabulary.SepId;
        if (textB is not null)
        {
            tokenTypeIds.AsSpan(position).Fill(1);
            b.CopyTo(inputIds, position);
            position += b.Count;
            inputIds[position] = Vocabulary.SepId;
        }

        var attentionMask = new int[length];
        attentionMask.AsSpan().Fill(1);
        return new EncodedInput(inputIds, tokenTypeIds, attentionMask);
    }

    /// <summary>
    /// Text from ids, like Hugging Face's <c>convert_tokens_to_string</c>: pieces joined by spaces, then every
    /// " ##" removed. An id outside the vocabulary reads as [UNK]. (Hugging Face's <c>decode</c> additionally
    /// applies <c>clean_up_tokenization_spaces</c>, e.g. " ." → "."; this method does not.)
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if (skipSpecialTokens && IsSpecialId(id))
            {
                continue;
            }

            string token = (uint)id < (uint)Vocabulary.Count ? Vocabulary.GetToken(id) : Vocabulary.UnkToken;
            if (token.StartsWith(Vocabulary.ContinuationPrefix, StringComparison.Ordinal) && text.Length > 0)
            {
                text.Append(token, Vocabulary.ContinuationPrefix.Length, token.Length - Vocabulary.ContinuationPrefix.Length);
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append(' ');
                }

                text.Append(token);
            }
        }

        return text.ToString();
    }

    /// <summary>Appends the WordPiece ids of one basic-tokenizer word (cached for frequent words).</summary>
    private void AppendWordIds(ReadOnlySpan<char> word, List<int> ids)
    {
        var cache = _wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
        if (cache.TryGetValue(word, out int[]? cached))
        {
            ids.AddRange(cached);
            return;
        }

        int start = ids.Count;
        SplitIntoPieces(word, ids);
        if (_cachedWordCount < MaxCachedWords && cache.TryAdd(word, [.. ids[start..]]))
        {
            Interlocked.Increment(ref _cachedWordCount);
        }
    }

    /// <summary>Greedy longest-match-first WordPiece; the whole word becomes [UNK] when any position has no match.</summary>
    private void SplitIntoPieces(ReadOnlySpan<char> word, List<int> ids)
    {
        // A code point takes at most 2 UTF-16 units, so more units than 2·limit means too many code points.
        if (word.Length > 2 * MaxInputCharsPerWord || CountCodePoints(word) > MaxInputCharsPerWord)
        {
            ids.Add(Vocabulary.UnkId);
            return;
        }

        // boundaries[k] = UTF-16 offset of the k-th code point; pieces never cut a surrogate pair.
        Span<int> boundaries = stackalloc int[word.Length + 1];
        int codePoints = 0;
        for (int offset = 0; offset < word.Length; offset += IsSurrogatePairAt(word, offset) ? 2 : 1)
        {
            boundaries[codePoints++] = offset;
        }

        boundaries[codePoints] = word.Length;

        int prefixLength = Vocabulary.ContinuationPrefix.Length;
        Span<char> candidate = stackalloc char[prefixLength + word.Length];
        Vocabulary.ContinuationPrefix.AsSpan().CopyTo(candidate);

        int firstId = ids.Count;
        int start = 0;
        while (start < codePoints)
        {
            int prefix = start > 0 ? prefixLength : 0;
            int end = codePoints;
            while (end > start && prefix + boundaries[end] - boundaries[start] > Vocabulary.MaxTokenLength)
            {
                end--;
            }

            int pieceId = -1;
            for (; end > start; end--)
            {
                var piece = word[boundaries[start]..boundaries[end]];
                scoped ReadOnlySpan<char> lookup = piece;
                if (prefix > 0)
                {
                    piece.CopyTo(candidate[prefixLength..]);
                    lookup = candidate[..(prefixLength + piece.Length)];
                }

                if (Vocabulary.TryGetId(lookup, out pieceId))
                {
                    break;
                }
            }

            if (end == start)
            {
                ids.RemoveRange(firstId, ids.Count - firstId);
                ids.Add(Vocabulary.UnkId);
                return;
            }

            ids.Add(pieceId);
            start = end;
        }
    }

    private static void TruncateLongestFirst(List<int> a, List<int> b, int budget)
    {
        while (a.Count + b.Count > budget)
        {
            var longer = a.Count > b.Count ? a : b;
            longer.RemoveAt(longer.Count - 1);
        }
    }

    private static bool IsSurrogatePairAt(ReadOnlySpan<char> text, int offset) =>
        offset + 1 < text.Length && char.IsSurrogatePair(text[offset], text[offset + 1]);

    private static int CountCodePoints(ReadOnlySpan<char> word)
    {
        int count = 0;
        foreach (Rune _ in word.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private bool IsSpecialId(int id) =>
        id == Vocabulary.PadId || id == Vocabulary.UnkId || id == Vocabulary.ClsId
        || id == Vocabulary.SepId || id == Vocabulary.MaskId;
}

/// <summary>Model input for one sequence: token ids, token types (0 for A, 1 for B) and the attention mask (1 = real token).</summary>
public sealed record EncodedInput(int[] InputIds, int[] TokenTypeIds, int[] AttentionMask);

namespace MiniBioBert.Model.Tokenization;

/// <summary>Settings of <see cref="WordPieceTrainer"/>.</summary>
/// <param name="VocabSize">Target number of tokens, special tokens and alphabet included.</param>
/// <param name="MinFrequency">A merge is learned only while its pair occurs at least this often.</param>
/// <param name="MaxAlphabetSize">Keep at most this many characters (the most frequent); words with other characters are not used for training.</param>
/// <param name="LowerCase">Pre-tokenize with lower-casing and accent stripping (must match the tokenizer that will use the vocabulary).</param>
public sealed record WordPieceTrainerOptions(
    int VocabSize = 30522,
    int MinFrequency = 2,
    int MaxAlphabetSize = 1000,
    bool LowerCase = true);

/// <summary>
/// Learns a WordPiece vocabulary from a corpus. Vocabulary order: [PAD] [UNK] [CLS] [SEP] [MASK]; every alphabet
/// character (ordinal order); the same characters as "##" continuations; then the learned merges in order.
/// </summary>
/// <remarks>
/// Merges are chosen by frequency, as in byte-pair encoding, and written as WordPiece pieces: merging "ab" with
/// "##c" gives "abc", "##ab" with "##c" gives "##abc". This is what Hugging Face tokenizers' WordPieceTrainer does.
/// Steps: count the words of <see cref="BasicTokenizer"/> once; split each distinct word into characters; count
/// adjacent pairs weighted by word frequency; then repeatedly merge the most frequent pair (ties: smaller ids first),
/// updating only the words that contain it and the pair counts they change. A max-heap with lazy deletion finds the
/// best pair: an entry whose count is stale is pushed again with its current count.
/// </remarks>
public sealed class WordPieceTrainer(WordPieceTrainerOptions options)
{
    /// <summary>The settings.</summary>
    public WordPieceTrainerOptions Options { get; } = options;

    /// <summary>Trains on <paramref name="texts"/> (each string is split into words by <see cref="BasicTokenizer"/>).</summary>
    public Vocabulary Train(IEnumerable<string> texts) => TrainOnWordCounts(CountWords(texts));

    /// <summary>How often each basic-tokenizer word occurs in <paramref name="texts"/> (special tokens are left out).</summary>
    public Dictionary<string, long> CountWords(IEnumerable<string> texts)
    {
        var basicTokenizer = new BasicTokenizer(Options.LowerCase);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        var words = new WordList();
        foreach (string text in texts)
        {
            words.Clear();
            basicTokenizer.Split(text, words);
            for (int i = 0; i < words.Count; i++)
            {
                var word = words[i];
                if (!IsSpecialToken(word))
                {
                    lookup.TryGetValue(word, out long count);
                    lookup[word] = count + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>Trains on a table of word frequencies.</summary>
    public Vocabulary TrainOnWordCounts(IReadOnlyDictionary<string, long> wordCounts)
    {
        var tokens = new List<string>(BasicTokenizer.SpecialTokens);
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string special in tokens)
        {
            tokenIds[special] = tokenIds.Count;
        }

        var alphabet = ChooseAlphabet(wordCounts);
        foreach (string prefix in new[] { "", Vocabulary.ContinuationPrefix })
        {
            foreach (string character in alphabet)
            {
                AddToken(prefix + character, tokens, tokenIds);
            }
        }

        var words = SplitIntoCharacters(wordCounts, alphabet, tokenIds);
        var merger = new PairMerger(words);
        while (tokens.Count < Options.VocabSize && merger.TryTakeBestPair(Options.MinFrequency, out int left, out int right))
        {
            string merged = tokens[left] + StripPrefix(tokens[right]);
            int mergedId = AddToken(merged, tokens, tokenIds);
            merger.Merge(left, right, mergedId);
        }

        return Vocabulary.FromTokens(tokens);
    }

    /// <summary>The most frequent characters (at most MaxAlphabetSize), in ordinal order.</summary>
    private List<string> ChooseAlphabet(IReadOnlyDictionary<string, long> wordCounts)
    {
        var frequencies = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in wordCounts)
        {
            foreach (var rune in word.EnumerateRunes())
            {
                string character = rune.ToString();
                frequencies[character] = frequencies.GetValueOrDefault(character) + count;
            }
        }

        return frequencies
            .OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(Options.MaxAlphabetSize)
            .Select(pair => pair.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Each distinct word (ordinal order) as character ids: first character plain, the others "##".</summary>
    private static List<(int[] Symbols, long Count)> SplitIntoCharacters(
        IReadOnlyDictionary<string, long> wordCounts, List<string> alphabet, Dictionary<string, int> tokenIds)
    {
        var alphabetSet = alphabet.ToHashSet(StringComparer.Ordinal);
        var words = new List<(int[], long)>();
        foreach (string word in wordCounts.Keys.Order(StringComparer.Ordinal))
        {
            var characters = word.EnumerateRunes().Select(rune => rune.ToString()).ToList();
            if (!characters.TrueForAll(alphabetSet.Contains))
            {
                continue;
            }

            var symbols = new int[characters.Count];
            for (int i = 0; i < symbols.Length; i++)
            {
                symbols[i] = tokenIds[i == 0 ? characters[i] : Vocabulary.ContinuationPrefix + characters[i]];
            }

            words.Add((symbols, wordCounts[word]));
        }

        return words;
    }

    private static int AddToken(string token, List<string> tokens, Dictionary<string, int> tokenIds)
    {
        if (!tokenIds.TryGetValue(token, out int id))
        {
            id = tokens.Count;
            tokens.Add(token);
            tokenIds[token] = id;
        }

        return id;
    }

    private static string StripPrefix(string token) =>
        token.StartsWith(Vocabulary.ContinuationPrefix, StringComparison.Ordinal) ? token[Vocabulary.ContinuationPrefix.Length..] : token;

    private static bool IsSpecialToken(ReadOnlySpan<char> word)
    {
        if (word[0] != '[')
        {
            return false;
        }

        foreach (string special in BasicTokenizer.SpecialTokens)
        {
            if (word.SequenceEqual(special))
            {
                return true;
            }
        }

        return false;
    }
}

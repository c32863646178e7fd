namespace MiniBioBert.Model.Tokenization;

/// <summary>
/// The merge loop of <see cref="WordPieceTrainer"/>: distinct words as symbol-id sequences with their frequencies,
/// the frequency of every adjacent symbol pair, the words each pair occurs in, and a max-heap of pairs.
/// </summary>
internal sealed class PairMerger
{
    private readonly List<(int[] Symbols, long Count)> _words;
    private readonly Dictionary<long, long> _pairCounts = [];
    private readonly Dictionary<long, List<int>> _pairWords = [];

    /// <summary>Max-heap by count, then smaller left id, then smaller right id (PriorityQueue is a min-heap, so counts are negated).</summary>
    private readonly PriorityQueue<long, (long NegativeCount, long Pair)> _heap = new();

    /// <summary>_lastVisit[w] = the merge that last processed word w, so a word listed twice is processed once.</summary>
    private readonly int[] _lastVisit;
    private int _mergeCount;

    public PairMerger(List<(int[] Symbols, long Count)> words)
    {
        _words = words;
        _lastVisit = new int[words.Count];
        for (int w = 0; w < words.Count; w++)
        {
            var (symbols, count) = words[w];
            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                AddPair(Key(symbols[i], symbols[i + 1]), count, w);
            }
        }

        foreach (var (pair, count) in _pairCounts)
        {
            _heap.Enqueue(pair, (-count, pair));
        }
    }

    /// <summary>The most frequent pair, if it occurs at least <paramref name="minFrequency"/> times.</summary>
    public bool TryTakeBestPair(int minFrequency, out int left, out int right)
    {
        while (_heap.TryDequeue(out long pair, out var priority))
        {
            long count = _pairCounts.GetValueOrDefault(pair);
            if (count != -priority.NegativeCount)
            {
                // Stale entry. A pair whose count grew was pushed again when it grew; one that shrank is pushed now.
                if (count > 0 && count < -priority.NegativeCount)
                {
                    _heap.Enqueue(pair, (-count, pair));
                }

                continue;
            }

            if (count < minFrequency)
            {
                break;
            }

            (left, right) = ((int)(pair >> 32), (int)pair);
            return true;
        }

        (left, right) = (-1, -1);
        return false;
    }

    /// <summary>Replaces every adjacent (left, right) by <paramref name="merged"/> and updates the pair counts.</summary>
    public void Merge(int left, int right, int merged)
    {
        _mergeCount++;
        long mergedPair = Key(left, right);
        var grownPairs = new HashSet<long>();
        foreach (int w in _pairWords[mergedPair])
        {
            if (_lastVisit[w] == _mergeCount)
            {
                continue;
            }

            _lastVisit[w] = _mergeCount;
            var (symbols, count) = _words[w];
            int[] newSymbols = MergeSymbols(symbols, left, right, merged);
            if (newSymbols.Length == symbols.Length)
            {
                continue;
            }

            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                _pairCounts[Key(symbols[i], symbols[i + 1])] -= count;
            }

            for (int i = 0; i + 1 < newSymbols.Length; i++)
            {
                long pair = Key(newSymbols[i], newSymbols[i + 1]);
                AddPair(pair, count, w);
                if (newSymbols[i] == merged || newSymbols[i + 1] == merged)
                {
                    grownPairs.Add(pair);
                }
            }

            _words[w] = (newSymbols, count);
        }

        _pairCounts.Remove(mergedPair);
        _pairWords.Remove(mergedPair);

        // Only pairs that contain the merged symbol can have grown; every other pair kept or lost occurrences.
        foreach (long pair in grownPairs)
        {
            _heap.Enqueue(pair, (-_pairCounts[pair], pair));
        }
    }

    /// <summary>Left-to-right replacement of non-overlapping (left, right) occurrences.</summary>
    private static int[] MergeSymbols(int[] symbols, int left, int right, int merged)
    {
        var result = new List<int>(symbols.Length);
        for (int i = 0; i < symbols.Length; i++)
        {
            if (i + 1 < symbols.Length && symbols[i] == left && symbols[i + 1] == right)
            {
                result.Add(merged);
                i++;
            }
            else
            {
                result.Add(symbols[i]);
            }
        }

        return [.. result];
    }

    private void AddPair(long pair, long count, int word)
    {
        _pairCounts[pair] = _pairCounts.GetValueOrDefault(pair) + count;
        if (!_pairWords.TryGetValue(pair, out var list))
        {
            _pairWords[pair] = list = [];
        }

        if (list.Count == 0 || list[^1] != word)
        {
            list.Add(word);
        }
    }

    /// <summary>A pair as one 64-bit key: left id in the high half, right id in the low half (ids are non-negative).</summary>
    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}

using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Packs a question and its context into windows of at most max-seq pieces, as BERT's SQuAD code does: the question is
/// cut to <see cref="QaOptions.MaxQuestionLength"/> pieces; a context too long for one window is covered by windows
/// that start <see cref="QaOptions.DocStride"/> pieces apart, so that every piece is in at least one window. The context
/// is cut into words where BERT's basic tokenizer cuts it (<see cref="WordSpans"/>) and each word into word pieces, so
/// every piece knows the characters it came from.
/// </summary>
internal sealed class QaFeatureEncoder
{
    private readonly WordPieceTokenizer _tokenizer;
    private readonly QaOptions _options;
    private readonly int _maxSequenceLength;

    public QaFeatureEncoder(WordPieceTokenizer tokenizer, QaOptions options, int maxSequenceLength)
    {
        if (maxSequenceLength - options.MaxQuestionLength - 3 < 1)
        {
            throw new ArgumentException(
                $"max-seq {maxSequenceLength} leaves no room for the context after a question of up to {options.MaxQuestionLength} pieces, [CLS] and two [SEP]; lower --max-question.");
        }
        _tokenizer = tokenizer;
        _options = options;
        _maxSequenceLength = maxSequenceLength;
    }

    /// <summary>The words of a context as character ranges, in order (<see cref="WordSpans.Split"/>).</summary>
    public static List<WordSpan> Words(string context) => WordSpans.Split(context);

    /// <summary>The windows of every pair, in pair order; with <paramref name="training"/> each carries its answer positions (the first answer's).</summary>
    public List<QaFeature> Encode(IReadOnlyList<QaPair> pairs, bool training)
    {
        var features = new List<QaFeature>();
        for (int p = 0; p < pairs.Count; p++)
        {
            features.AddRange(Encode(pairs[p], p, training));
        }
        return features;
    }

    private IEnumerable<QaFeature> Encode(QaPair pair, int pairIndex, bool training)
    {
        var question = _tokenizer.EncodeIds(pair.Question);
        if (question.Length > _options.MaxQuestionLength)
        {
            question = question[.._options.MaxQuestionLength];
        }
        var words = Words(pair.Context);
        // pieces of the context, and the word each comes from
        var pieces = new List<int>();
        var pieceWords = new List<int>();
        for (int w = 0; w < words.Count; w++)
        {
            foreach (int id in _tokenizer.EncodeIds(pair.Context[words[w].Start..words[w].End]))
            {
                pieces.Add(id);
                pieceWords.Add(w);
            }
        }
        var (answerStart, answerEnd) = training && pair.Answers.Length > 0 ? AnswerPieces(pair.Answers[0], words, pieceWords) : (-1, -1);

        int capacity = _maxSequenceLength - question.Length - 3;
        var windows = new List<(int Start, int Length)>();
        for (int start = 0; ; start += Math.Min(capacity, _options.DocStride))
        {
            int length = Math.Min(capacity, pieces.Count - start);
            windows.Add((start, length));
            if (start + length >= pieces.Count)
            {
                break;
            }
        }

        var vocabulary = _tokenizer.Vocabulary;
        foreach (var (windowStart, windowLength) in windows)
        {
            int offset = question.Length + 2; // [CLS] question [SEP]
            int length = offset + windowLength + 1;
            var ids = new int[length];
            var types = new int[length];
            var tokenWords = new int[length];
            var maxContext = new bool[length];
            Array.Fill(tokenWords, -1);
            ids[0] = vocabulary.ClsId;
            question.CopyTo(ids, 1);
            ids[offset - 1] = vocabulary.SepId;
            for (int i = 0; i < windowLength; i++)
            {
                int piece = windowStart + i;
                ids[offset + i] = pieces[piece];
                types[offset + i] = 1;
                tokenWords[offset + i] = pieceWords[piece];
                maxContext[offset + i] = HasMaxContext(windows, windowStart, piece);
            }
            ids[length - 1] = vocabulary.SepId;
            types[length - 1] = 1;

            bool inside = answerStart >= windowStart && answerEnd < windowStart + windowLength;
            int start = inside ? offset + answerStart - windowStart : 0;
            int end = inside ? offset + answerEnd - windowStart : 0;
            yield return new QaFeature(pairIndex, ids, types, tokenWords, maxContext, start, end);
        }
    }

    /// <summary>The first and last piece of the words the answer's characters touch.</summary>
    private static (int Start, int End) AnswerPieces(QaAnswer answer, List<WordSpan> words, List<int> pieceWords)
    {
        int answerEnd = answer.Start + answer.Text.Length;
        int firstWord = words.FindIndex(w => w.End > answer.Start);
        int lastWord = words.FindLastIndex(w => w.Start < answerEnd);
        int start = pieceWords.IndexOf(firstWord);
        int end = pieceWords.LastIndexOf(lastWord);
        return start < 0 || end < start ? (-1, -1) : (start, end);
    }

    /// <summary>
    /// BERT's <c>_check_is_max_context</c>: of the windows holding <paramref name="piece"/>, the one where
    /// min(pieces left of it, pieces right of it) + 0.01·window length is largest (the first on a tie).
    /// </summary>
    private static bool HasMaxContext(List<(int Start, int Length)> windows, int windowStart, int piece)
    {
        double bestScore = double.NegativeInfinity;
        int bestStart = -1;
        foreach (var (start, length) in windows)
        {
            if (piece < start || piece >= start + length)
            {
                continue;
            }
            double score = Math.Min(piece - start, start + length - 1 - piece) + 0.01 * length;
            if (score > bestScore)
            {
                (bestScore, bestStart) = (score, start);
            }
        }
        return bestStart == windowStart;
    }
}

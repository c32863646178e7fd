using MiniBioBert.Engine;
using MiniBioBert.Engine.IO;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Word → word-piece alignment for token classification. Each word is tokenized on its own; its label goes on its
/// first piece and the other pieces get <see cref="Ops.IgnoreIndex"/> (ignored by the loss), as do [CLS], [SEP] and padding. A sentence whose
/// pieces do not fit in max-seq − 2 is split at word boundaries into consecutive windows, each filled greedily,
/// so that every word is predicted exactly once (nothing is truncated). A single word with more pieces than a
/// window holds keeps only its first pieces (its label sits on the first one).
/// </summary>
internal sealed class NerEncoder
{
    private readonly WordPieceTokenizer _tokenizer;
    private readonly Dictionary<string, int> _labelIds;

    public NerEncoder(WordPieceTokenizer tokenizer, IReadOnlyList<string> labels, int maxSequenceLength)
    {
        if (maxSequenceLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), maxSequenceLength, "max-seq must leave room for [CLS], one piece and [SEP] (at least 3).");
        }
        _tokenizer = tokenizer;
        _labelIds = labels.Select((label, id) => (label, id)).ToDictionary(p => p.label, p => p.id, StringComparer.Ordinal);
        MaxSequenceLength = maxSequenceLength;
    }

    public int MaxSequenceLength { get; }

    /// <summary>Pieces per window: max-seq minus [CLS] and [SEP].</summary>
    public int WindowCapacity => MaxSequenceLength - 2;

    /// <summary>The windows of every sentence, in sentence order.</summary>
    /// <exception cref="InvalidDataException">A tag is not in the label list.</exception>
    public List<NerWindow> Encode(IReadOnlyList<TaggedSentence> sentences)
    {
        var windows = new List<NerWindow>();
        for (int s = 0; s < sentences.Count; s++)
        {
            var sentence = sentences[s];
            var pieces = sentence.Words.Select(WordPieces).ToArray();
            foreach (var (first, count) in SplitIntoWindows(pieces.Select(p => p.Length).ToArray(), WindowCapacity))
            {
                windows.Add(BuildWindow(s, sentence, pieces, first, count));
            }
        }
        return windows;
    }

    /// <summary>The piece ids of one word, at most <see cref="WindowCapacity"/>; [UNK] when the word yields none.</summary>
    public int[] WordPieces(string word)
    {
        var ids = _tokenizer.EncodeIds(word);
        if (ids.Length == 0)
        {
            return [_tokenizer.Vocabulary.UnkId];
        }
        return ids.Length <= WindowCapacity ? ids : ids[..WindowCapacity];
    }

    /// <summary>
    /// Splits words with the given piece counts (each ≤ <paramref name="capacity"/>) into consecutive windows of at
    /// most <paramref name="capacity"/> pieces: (first word, word count) per window, filled greedily.
    /// </summary>
    public static List<(int FirstWord, int WordCount)> SplitIntoWindows(IReadOnlyList<int> piecesPerWord, int capacity)
    {
        var windows = new List<(int, int)>();
        int first = 0, used = 0;
        for (int w = 0; w < piecesPerWord.Count; w++)
        {
            if (used + piecesPerWord[w] > capacity && w > first)
            {
                windows.Add((first, w - first));
                first = w;
                used = 0;
            }
            used += piecesPerWord[w];
        }
        if (piecesPerWord.Count > first)
        {
            windows.Add((first, piecesPerWord.Count - first));
        }
        return windows;
    }

    private NerWindow BuildWindow(int sentenceIndex, TaggedSentence sentence, int[][] pieces, int first, int count)
    {
        var vocabulary = _tokenizer.Vocabulary;
        var ids = new List<int> { vocabulary.ClsId };
        var labels = new List<int> { Ops.IgnoreIndex };
        var positions = new int[count];
        for (int k = 0; k < count; k++)
        {
            int w = first + k;
            positions[k] = ids.Count;
            ids.AddRange(pieces[w]);
            labels.Add(LabelId(sentence, w));
            labels.AddRange(Enumerable.Repeat(Ops.IgnoreIndex, pieces[w].Length - 1));
        }
        ids.Add(vocabulary.SepId);
        labels.Add(Ops.IgnoreIndex);
        return new NerWindow(sentenceIndex, first, [.. ids], [.. labels], positions);
    }

    private int LabelId(TaggedSentence sentence, int word) =>
        _labelIds.TryGetValue(sentence.Tags[word], out int id)
            ? id
            : throw new InvalidDataException(
                $"{(sentence.File is null ? "Line" : sentence.File + ", line")} {sentence.FirstLine + word}: tag '{InputText.Quote(sentence.Tags[word])}' in the tag column is not one of the model's labels ({InputText.Quote(string.Join(", ", _labelIds.Keys))}).");
}

using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Data;

/// <summary>
/// The ids of the special tokens, the vocabulary size and which pieces continue a word: all the pipeline needs to know
/// about a vocabulary.
/// </summary>
internal sealed record SpecialTokenIds(int Pad, int Unk, int Cls, int Sep, int Mask, int VocabSize)
{
    /// <summary>
    /// For each id, whether the piece continues the word of the piece before it (WordPiece's "##" prefix); null when the
    /// vocabulary does not say (then only piece masking is possible).
    /// </summary>
    public IReadOnlyList<bool>? ContinuesWord { get; init; }

    /// <summary>The ids of a loaded WordPiece <paramref name="vocabulary"/>.</summary>
    public static SpecialTokenIds From(Vocabulary vocabulary) =>
        new(vocabulary.PadId, vocabulary.UnkId, vocabulary.ClsId, vocabulary.SepId, vocabulary.MaskId, vocabulary.Count)
        {
            ContinuesWord = Enumerable.Range(0, vocabulary.Count).Select(id => vocabulary.GetToken(id).StartsWith(Vocabulary.ContinuationPrefix, StringComparison.Ordinal)).ToArray(),
        };

    /// <summary>The five special ids, sorted ascending and without duplicates.</summary>
    public int[] SortedDistinct() => new[] { Pad, Unk, Cls, Sep, Mask }.Distinct().Order().ToArray();

    /// <summary>True for [PAD], [CLS], [SEP] and [MASK]: tokens that are never chosen for masked-LM prediction.</summary>
    public bool IsStructural(int id) => id == Pad || id == Cls || id == Sep || id == Mask;

    /// <summary>Throws <see cref="ArgumentException"/> when an id lies outside the vocabulary.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(VocabSize, 6, nameof(VocabSize));
        foreach (var (name, id) in new[] { ("Pad", Pad), ("Unk", Unk), ("Cls", Cls), ("Sep", Sep), ("Mask", Mask) })
        {
            if (id < 0 || id >= VocabSize)
            {
                throw new ArgumentException($"Special token id {name}={id} lies outside the vocabulary [0, {VocabSize}).");
            }
        }
    }
}

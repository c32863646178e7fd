namespace MiniBioBert.Training.Data;

/// <summary>
/// One segment pair, before masking: segment A is <c>TokenIds[AStart..AEnd]</c> and segment B is
/// <c>TokenIds[BStart..BEnd]</c> of a <see cref="TokenizedCorpus"/> (each a run of whole sentences, then
/// truncated). The sequence is <c>[CLS] A [SEP] B [SEP]</c>.
/// </summary>
internal readonly record struct PretrainingInstance(int AStart, int AEnd, int BStart, int BEnd, bool IsRandomNext)
{
    /// <summary>Tokens in segment A.</summary>
    public int ALength => AEnd - AStart;

    /// <summary>Tokens in segment B.</summary>
    public int BLength => BEnd - BStart;

    /// <summary>Sequence length with [CLS] and both [SEP].</summary>
    public int SequenceLength => ALength + BLength + 3;

    /// <summary>The next-sentence label: 0 when B follows A in the document, 1 when B comes from another document.</summary>
    public int NspLabel => IsRandomNext ? 1 : 0;
}

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// One window of a question–context pair as the model reads it: <c>[CLS] question [SEP] context part [SEP]</c>.
/// </summary>
/// <param name="Pair">Index of the pair in its list.</param>
/// <param name="InputIds">Token ids [T].</param>
/// <param name="TokenTypeIds">0 up to the first [SEP], 1 after.</param>
/// <param name="Words">Per position, the index of the context word the piece belongs to (see <see cref="Model.Tokenization.WordSpans"/>), −1 outside the context.</param>
/// <param name="MaxContext">Per position, whether this window sees the piece with the most context on both sides of all windows that hold it (BERT's rule: an answer is only read where its start has the most context).</param>
/// <param name="Start">The answer's first position, 0 ([CLS]) when the answer is not inside this window or there is none.</param>
/// <param name="End">The answer's last position, 0 likewise.</param>
internal sealed record QaFeature(int Pair, int[] InputIds, int[] TokenTypeIds, int[] Words, bool[] MaxContext, int Start, int End)
{
    /// <summary>Where an answer may start or end: [CLS] and the context pieces.</summary>
    public bool[] AnswerPositions => [.. Words.Select((word, position) => position == 0 || word >= 0)];
}

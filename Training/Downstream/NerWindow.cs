namespace MiniBioBert.Training.Downstream;

/// <summary>
/// One model input cut from a sentence: <c>[CLS]</c>, the word pieces of words
/// [<see cref="FirstWord"/>, <see cref="FirstWord"/> + <see cref="WordPositions"/>.Length), <c>[SEP]</c>.
/// </summary>
/// <param name="Sentence">Index of the sentence in its data set.</param>
/// <param name="FirstWord">Index of the window's first word in the sentence.</param>
/// <param name="InputIds">Token ids, [CLS] … [SEP], at most max-seq long.</param>
/// <param name="Labels">One label id per token: the word's label on its first piece, −100 elsewhere (later pieces, [CLS], [SEP]).</param>
/// <param name="WordPositions">For each word of the window, the position of its first piece in <see cref="InputIds"/>.</param>
internal sealed record NerWindow(int Sentence, int FirstWord, int[] InputIds, int[] Labels, int[] WordPositions);

namespace MiniBioBert.Training.Downstream;

/// <summary>A sentence of a classification data set with its labels (exactly one for single-label tasks).</summary>
/// <param name="Document">The PubMed id of the abstract it comes from.</param>
/// <param name="Text">The sentence (for a sentence-pair task: the first text, e.g. the question).</param>
/// <param name="Labels">Its label names (possibly none for multi-label tasks).</param>
/// <param name="Pair">For a sentence-pair task, the second text (e.g. the abstract); null otherwise.</param>
internal sealed record LabeledSentence(string Document, string Text, string[] Labels, string? Pair = null);

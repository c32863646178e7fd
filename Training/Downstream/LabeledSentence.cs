namespace MiniBioBert.Training.Downstream;

/// <summary>A sentence of a classification data set with its labels (exactly one for single-label tasks).</summary>
/// <param name="Document">The PubMed id of the abstract it comes from.</param>
/// <param name="Text">The sentence.</param>
/// <param name="Labels">Its label names (possibly none for multi-label tasks).</param>
internal sealed record LabeledSentence(string Document, string Text, string[] Labels);

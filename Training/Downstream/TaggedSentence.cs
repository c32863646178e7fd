namespace MiniBioBert.Training.Downstream;

/// <summary>A sentence of an IOB file: its words and one tag per word.</summary>
/// <param name="Words">The pre-tokenized words.</param>
/// <param name="Tags">One IOB2 tag per word.</param>
/// <param name="FirstLine">1-based line of the first word in the file it came from (0 for free text).</param>
/// <param name="File">The file it came from (null for free text), for messages.</param>
internal sealed record TaggedSentence(string[] Words, string[] Tags, int FirstLine = 0, string? File = null);

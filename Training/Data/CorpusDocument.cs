namespace MiniBioBert.Training.Data;

/// <summary>One document of a corpus: its sentences, in order, and an id for messages (file and line, or PMID).</summary>
internal sealed record CorpusDocument(string Id, IReadOnlyList<string> Sentences);

/// <summary>How a corpus file is laid out.</summary>
internal enum CorpusFormat
{
    /// <summary>Decided from the first non-blank line: PubTator when it looks like <c>PMID|t|…</c> or <c>PMID|a|…</c>.</summary>
    Auto,

    /// <summary>One sentence per line, a blank line between documents (BERT's <c>create_pretraining_data</c> input).</summary>
    SentencePerLine,

    /// <summary>PubTator: <c>PMID|t|title</c>, <c>PMID|a|abstract</c>, tab-separated annotation lines, blank line between documents.</summary>
    PubTator,
}

/// <summary>A corpus file and its format.</summary>
internal sealed record CorpusSource(string Path, CorpusFormat Format = CorpusFormat.Auto);

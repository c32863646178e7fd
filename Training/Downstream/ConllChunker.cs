namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Turns a tag sequence into entities with the chunk rules of the CoNLL-2000 <c>conlleval</c> script (for O, B-, I-):
/// a chunk ends before a B-, before an O, or before any tag of another type; a chunk starts at a B-, and also at
/// an I-X whose previous tag is O or of another type (an I- without a B- begins a new entity). Each sentence starts
/// as if after an O.
/// </summary>
internal static class ConllChunker
{
    public static List<EntitySpan> Chunks(IReadOnlyList<string> tags)
    {
        var chunks = new List<EntitySpan>();
        var previous = new IobTag('O', "");
        int start = -1;
        for (int i = 0; i < tags.Count; i++)
        {
            var tag = IobTag.Parse(tags[i]);
            if (start >= 0 && EndsChunk(previous, tag))
            {
                chunks.Add(new EntitySpan(start, i, previous.Type));
                start = -1;
            }
            if (StartsChunk(previous, tag))
            {
                start = i;
            }
            previous = tag;
        }
        if (start >= 0)
        {
            chunks.Add(new EntitySpan(start, tags.Count, previous.Type));
        }
        return chunks;
    }

    /// <summary>conlleval's endOfChunk: does the chunk that <paramref name="previous"/> belongs to end before <paramref name="tag"/>?</summary>
    private static bool EndsChunk(IobTag previous, IobTag tag) =>
        previous.Prefix != 'O' && (tag.Prefix is 'B' or 'O' || tag.Type != previous.Type);

    /// <summary>conlleval's startOfChunk: does a chunk start at <paramref name="tag"/>?</summary>
    private static bool StartsChunk(IobTag previous, IobTag tag) =>
        tag.Prefix == 'B' || (tag.Prefix == 'I' && (previous.Prefix == 'O' || previous.Type != tag.Type));
}

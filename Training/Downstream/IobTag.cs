using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Downstream;

/// <summary>One IOB2 tag: <c>O</c>, or <c>B-Type</c> (begins an entity) / <c>I-Type</c> (continues one).</summary>
/// <param name="Prefix">'O', 'B' or 'I'.</param>
/// <param name="Type">The entity type ("" for O).</param>
internal readonly record struct IobTag(char Prefix, string Type)
{
    public const string Outside = "O";

    /// <summary>Parses <c>O</c>, <c>B-X</c> or <c>I-X</c> (X non-empty); anything else is false.</summary>
    public static bool TryParse(string text, out IobTag tag)
    {
        if (text == Outside)
        {
            tag = new IobTag('O', "");
            return true;
        }
        if (text.Length > 2 && (text[0] == 'B' || text[0] == 'I') && text[1] == '-')
        {
            tag = new IobTag(text[0], text[2..]);
            return true;
        }
        tag = default;
        return false;
    }

    /// <summary>Parses a tag known to be valid (from a checked file or a label list).</summary>
    public static IobTag Parse(string text) =>
        TryParse(text, out var tag) ? tag : throw new ArgumentException($"'{InputText.Quote(text)}' is not an IOB tag (O, B-X or I-X).");
}

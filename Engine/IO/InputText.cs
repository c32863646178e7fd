using System.Globalization;

namespace MiniBioBert.Engine.IO;

/// <summary>How an error message quotes what a user's file holds: never more than about 200 characters of it.</summary>
public static class InputText
{
    /// <summary>The most characters of input a message quotes.</summary>
    public const int MaxQuotedChars = 200;

    /// <summary>
    /// <paramref name="text"/> itself when it has at most <see cref="MaxQuotedChars"/> characters, else its first
    /// <see cref="MaxQuotedChars"/> characters followed by "… (N characters)". A surrogate pair is never cut in two.
    /// </summary>
    public static string Quote(string text)
    {
        if (text.Length <= MaxQuotedChars)
        {
            return text;
        }
        int keep = char.IsHighSurrogate(text[MaxQuotedChars - 1]) ? MaxQuotedChars - 1 : MaxQuotedChars;
        return string.Create(CultureInfo.InvariantCulture, $"{text.AsSpan(0, keep)}… ({text.Length} characters)");
    }
}

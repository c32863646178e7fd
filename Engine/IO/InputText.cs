using System.Globalization;

namespace MiniBioBert.Engine.IO;

/// <summary>How an error message quotes what a user's file holds: never more than 160 characters of it (and its length).</summary>
public static class InputText
{
    /// <summary>The most characters of input a message quotes.</summary>
    public const int MaxQuotedChars = 160;

    /// <summary>
    /// <paramref name="text"/> with each tab shown as <c>&lt;TAB&gt;</c> (so that a one-line message shows the
    /// columns), cut after <see cref="MaxQuotedChars"/> characters and then followed by "… (N characters)", N being the
    /// length of <paramref name="text"/>. A surrogate pair is never cut in two.
    /// </summary>
    public static string Quote(string text)
    {
        string shown = text.Replace("\t", "<TAB>", StringComparison.Ordinal);
        if (shown.Length <= MaxQuotedChars)
        {
            return shown;
        }
        int keep = char.IsHighSurrogate(shown[MaxQuotedChars - 1]) ? MaxQuotedChars - 1 : MaxQuotedChars;
        return string.Create(CultureInfo.InvariantCulture, $"{shown.AsSpan(0, keep)}… ({text.Length} characters)");
    }
}

using System.Text.RegularExpressions;

namespace MiniBioBert.Training.Data;

/// <summary>
/// A simple rule-based sentence splitter: a sentence ends at '.', '!' or '?' followed by whitespace and an
/// upper-case letter or a digit, unless the word before the '.' is a common abbreviation or a single letter.
/// </summary>
internal static partial class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "al", "fig", "figs", "eq", "eqs", "ref", "refs", "vs", "approx", "ca", "cf", "dr", "mr", "mrs",
        "ms", "prof", "no", "nos", "vol", "resp", "sp", "spp", "st", "inc", "ltd", "co", "jr", "sr", "viz",
    };

    /// <summary>The sentences of <paramref name="text"/>, trimmed, without empty ones.</summary>
    public static List<string> Split(string text)
    {
        var sentences = new List<string>();
        var start = 0;
        foreach (Match boundary in CandidateBoundary().Matches(text))
        {
            if (text[boundary.Index - 1] == '.' && EndsWithAbbreviation(text.AsSpan(start, boundary.Index - 1 - start)))
            {
                continue;
            }
            AddTrimmed(sentences, text[start..boundary.Index]);
            start = boundary.Index + boundary.Length;
        }
        AddTrimmed(sentences, text[start..]);
        return sentences;
    }

    private static bool EndsWithAbbreviation(ReadOnlySpan<char> beforePeriod)
    {
        var wordStart = beforePeriod.LastIndexOfAny(' ', '\t', '(') + 1;
        var word = beforePeriod[wordStart..].ToString();
        return (word.Length == 1 && char.IsLetter(word[0])) || Abbreviations.Contains(word);
    }

    private static void AddTrimmed(List<string> sentences, string sentence)
    {
        var trimmed = sentence.Trim();
        if (trimmed.Length > 0)
        {
            sentences.Add(trimmed);
        }
    }

    // The whitespace run after a sentence-ending mark that is followed by an upper-case letter or digit.
    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}0-9])")]
    private static partial Regex CandidateBoundary();
}

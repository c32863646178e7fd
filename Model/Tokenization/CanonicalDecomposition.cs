using System.Collections.Frozen;
using System.Globalization;

namespace MiniBioBert.Model.Tokenization;

/// <summary>
/// Unicode canonical decomposition (NFD) of a code point sequence: full decomposition of each code point, then
/// canonical ordering of combining marks.
/// </summary>
/// <remarks>
/// <c>string.Normalize(NormalizationForm.FormD)</c> cannot be used: under InvariantGlobalization (this project's
/// setting) it relies on ICU that is not loaded, and silently returns the text unchanged ("é" stays U+00E9).
/// The tables come from <see cref="UnicodeNormalizationData"/>; Hangul syllables decompose by the Unicode formula.
/// </remarks>
internal static class CanonicalDecomposition
{
    private const int HangulBase = 0xAC00, HangulCount = 11172;
    private const int LeadBase = 0x1100, VowelBase = 0x1161, TrailBase = 0x11A7;
    private const int VowelCount = 21, TrailCount = 28;

    /// <summary>The smallest code point that has a canonical decomposition (U+00C0, À).</summary>
    private const int FirstDecomposable = 0xC0;

    /// <summary>The smallest code point with a non-zero combining class (U+0300, combining grave accent).</summary>
    private const int FirstCombining = 0x300;

    private static readonly FrozenDictionary<int, int[]> Decompositions = ParseDecompositions();
    private static readonly (int First, int Last, byte Class)[] CombiningClasses = ParseCombiningClasses();

    /// <summary>Appends the NFD form of <paramref name="input"/> to <paramref name="output"/>.</summary>
    public static void Decompose(ReadOnlySpan<int> input, CodePointBuffer output)
    {
        int start = output.Count;
        bool hasMarks = false;
        foreach (int cp in input)
        {
            if (cp < FirstDecomposable)
            {
                output.Add(cp);
            }
            else if (cp is >= HangulBase and < HangulBase + HangulCount)
            {
                AppendHangul(cp, output);
            }
            else if (Decompositions.TryGetValue(cp, out int[]? parts))
            {
                foreach (int part in parts)
                {
                    output.Add(part);
                }

                hasMarks = true;
            }
            else
            {
                output.Add(cp);
                hasMarks |= cp >= FirstCombining;
            }
        }

        if (hasMarks)
        {
            SortCombiningMarks(output.AsSpan()[start..]);
        }
    }

    /// <summary>The canonical combining class of <paramref name="cp"/> (0 for base characters).</summary>
    public static int CombiningClass(int cp)
    {
        if (cp < FirstCombining)
        {
            return 0;
        }

        int lo = 0, hi = CombiningClasses.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var (first, last, cls) = CombiningClasses[mid];
            if (cp < first)
            {
                hi = mid - 1;
            }
            else if (cp > last)
            {
                lo = mid + 1;
            }
            else
            {
                return cls;
            }
        }

        return 0;
    }

    /// <summary>True for category Mn, the marks that BERT's accent stripping removes after NFD.</summary>
    public static bool IsNonSpacingMark(int cp) =>
        cp >= FirstCombining && CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.NonSpacingMark;

    /// <summary>Canonical ordering: a stable sort by combining class of every run of marks with class &gt; 0.</summary>
    private static void SortCombiningMarks(Span<int> cps)
    {
        for (int i = 1; i < cps.Length; i++)
        {
            int cp = cps[i];
            int cls = CombiningClass(cp);
            if (cls == 0)
            {
                continue;
            }

            int j = i;
            while (j > 0 && CombiningClass(cps[j - 1]) > cls)
            {
                cps[j] = cps[j - 1];
                j--;
            }

            cps[j] = cp;
        }
    }

    private static void AppendHangul(int cp, CodePointBuffer output)
    {
        int index = cp - HangulBase;
        output.Add(LeadBase + index / (VowelCount * TrailCount));
        output.Add(VowelBase + index % (VowelCount * TrailCount) / TrailCount);
        int trail = index % TrailCount;
        if (trail != 0)
        {
            output.Add(TrailBase + trail);
        }
    }

    private static FrozenDictionary<int, int[]> ParseDecompositions()
    {
        var map = new Dictionary<int, int[]>();
        foreach (string entry in Entries(UnicodeNormalizationData.Decompositions))
        {
            int colon = entry.IndexOf(':');
            int source = ParseHex(entry[..colon]);
            map[source] = entry[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseHex).ToArray();
        }

        return map.ToFrozenDictionary();
    }

    private static (int First, int Last, byte Class)[] ParseCombiningClasses()
    {
        var ranges = new List<(int, int, byte)>();
        foreach (string entry in Entries(UnicodeNormalizationData.CombiningClasses))
        {
            int colon = entry.IndexOf(':');
            string[] bounds = entry[..colon].Split('-');
            int first = ParseHex(bounds[0]);
            int last = bounds.Length == 2 ? ParseHex(bounds[1]) : first;
            ranges.Add((first, last, byte.Parse(entry[(colon + 1)..], CultureInfo.InvariantCulture)));
        }

        return [.. ranges];
    }

    private static IEnumerable<string> Entries(string table) =>
        table.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int ParseHex(string hex) => int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

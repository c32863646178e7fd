using System.Globalization;
using System.Text;

namespace MiniBioBert.Model.Tokenization;

/// <summary>
/// The character classes of BERT's basic tokenizer, defined on code points exactly as in Hugging Face's
/// <c>BasicTokenizer</c> (categories come from the .NET runtime's Unicode tables).
/// </summary>
internal static class BertCharacterClasses
{
    /// <summary>Dropped by text cleaning: every category C* (Cc, Cf, Cs, Co, Cn) except tab, newline and carriage return.</summary>
    public static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r')
        {
            return false;
        }

        if (rune.Value < 0x80)
        {
            return rune.Value is < 0x20 or 0x7F;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    /// <summary>
    /// Ends a word: space, tab, newline, carriage return and category Zs (BERT's whitespace), plus the line and
    /// paragraph separators Zl/Zp, on which Python's <c>str.split()</c> also splits.
    /// </summary>
    public static bool IsWordSeparator(Rune rune)
    {
        if (rune.Value is ' ' or '\t' or '\n' or '\r')
        {
            return true;
        }

        if (rune.Value < 0x80)
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }

    /// <summary>Every non-alphanumeric printable ASCII character (33–47, 58–64, 91–96, 123–126) and every category P*.</summary>
    public static bool IsPunctuation(Rune rune)
    {
        int cp = rune.Value;
        if (cp < 0x80)
        {
            return cp is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126);
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>A CJK ideograph (the code point blocks of BERT's <c>_is_chinese_char</c>): it becomes a word of its own.</summary>
    public static bool IsChineseCharacter(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF)
            or (>= 0x3400 and <= 0x4DBF)
            or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F)
            or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF)
            or (>= 0x2F800 and <= 0x2FA1F);
}

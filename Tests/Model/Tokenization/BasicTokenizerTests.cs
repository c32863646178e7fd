using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

public class BasicTokenizerTests
{
    private static List<string> Words(string text) => new BasicTokenizer().Tokenize(text);

    [Test]
    public void SplitsOnWhitespaceAndLowerCases() =>
        Assert.That(Words("  The  Quick\tBROWN\nfox\r\n"), Is.EqualTo(new[] { "the", "quick", "brown", "fox" }));

    [Test]
    public void DropsNullReplacementAndControlCharacters() =>
        // U+0000, U+FFFD, U+0007 (Cc), U+200B zero-width space and U+00AD soft hyphen (Cf), U+E000 (Co) vanish
        // without breaking the word; U+0085 (Cc) also vanishes instead of acting as whitespace.
        Assert.That(Words("a\u0000b\uFFFDc\u0007d\u200Be\u00ADf\uE000g\u0085h"), Is.EqualTo(new[] { "abcdefgh" }));

    [Test]
    public void UnicodeSpaceSeparatorsAndLineSeparatorsBreakWords() =>
        // U+00A0 no-break space, U+2003 em space, U+3000 ideographic space (Zs); U+2028/U+2029 (Zl/Zp) split like Python's str.split().
        Assert.That(Words("a\u00A0b\u2003c\u3000d\u2028e\u2029f"), Is.EqualTo(new[] { "a", "b", "c", "d", "e", "f" }));

    [Test]
    public void CjkIdeographsBecomeSeparateWords() =>
        // 中 U+4E2D and 文 U+6587 are CJK ideographs; Hiragana こ is not, so it stays attached to "x".
        Assert.That(Words("ab中文cd xこ"), Is.EqualTo(new[] { "ab", "中", "文", "cd", "xこ" }));

    [Test]
    public void AstralCjkIdeographIsOneWord() =>
        // U+20000 (CJK extension B) is a surrogate pair in UTF-16 and must stay whole.
        Assert.That(Words("a\U00020000b"), Is.EqualTo(new[] { "a", "\U00020000", "b" }));

    [Test]
    public void StripsAccentsAfterCanonicalDecomposition() =>
        Assert.That(Words("Héllo Ångström naïve CAFÉ Ελληνικά"), Is.EqualTo(new[] { "hello", "angstrom", "naive", "cafe", "ελληνικα" }));

    [Test]
    public void StripsDecomposedAccentsAndKeepsSpacingMarks() =>
        // "e" + U+0301 combining acute (Mn) loses the mark; the Devanagari vowel sign U+093E (Mc) is kept.
        Assert.That(Words("e\u0301 क\u093E"), Is.EqualTo(new[] { "e", "क\u093E" }));

    [Test]
    public void CapitalIWithDotLowerCasesToPlainI() =>
        // Python lower-cases İ (U+0130) to "i" + U+0307; accent stripping then removes U+0307.
        Assert.That(Words("İstanbul"), Is.EqualTo(new[] { "istanbul" }));

    [Test]
    public void CapitalSigmaAlwaysBecomesMedialSigma() =>
        // Hugging Face lower-cases one character at a time, so no final-sigma rule applies.
        Assert.That(Words("ΟΔΟΣ"), Is.EqualTo(new[] { "οδοσ" }));

    [Test]
    public void HangulSyllablesDecomposeIntoJamo() =>
        // NFD decomposes 한 (U+D55C) into ᄒ U+1112, ᅡ U+1161, ᆫ U+11AB (letters, not marks, so they stay).
        Assert.That(Words("한"), Is.EqualTo(new[] { "\u1112\u1161\u11AB" }));

    [Test]
    public void SplitsOnAsciiAndUnicodePunctuation() =>
        // $ ^ ` are ASCII symbols treated as punctuation; « » — ’ ¿ are Unicode P* categories.
        Assert.That(Words("IL-2(a)$b^c`d «e»f—g’h ¿i?"),
            Is.EqualTo(new[] { "il", "-", "2", "(", "a", ")", "$", "b", "^", "c", "`", "d", "«", "e", "»", "f", "—", "g", "’", "h", "¿", "i", "?" }));

    [Test]
    public void NonPunctuationSymbolsStayInsideWords() =>
        // ± (Sm), ° (So) and € (Sc) are symbols, not punctuation; only ASCII symbols split.
        Assert.That(Words("5±2°C 3€"), Is.EqualTo(new[] { "5±2°c", "3€" }));

    [Test]
    public void EmojiStayWholeCodePoints() =>
        // U+1F600 is one code point (two UTF-16 units) and category So: it stays in the word.
        Assert.That(Words("hi😀there 👍"), Is.EqualTo(new[] { "hi😀there", "👍" }));

    [Test]
    public void LoneSurrogatesAreDropped()
    {
        string text = "ab" + '\uD800' + "cd" + '\uDC00' + " e" + '\uDBFF';
        Assert.That(Words(text), Is.EqualTo(new[] { "abcd", "e" }));
    }

    [Test]
    public void SpecialTokensInTextStayWhole() =>
        // As in Hugging Face: exact (case-sensitive) special tokens are split out before lower-casing.
        Assert.That(Words("the[MASK]binds [mask] [CLS]"), Is.EqualTo(new[] { "the", "[MASK]", "binds", "[", "mask", "]", "[CLS]" }));

    [Test]
    public void CasedModeKeepsCaseAndAccents() =>
        Assert.That(new BasicTokenizer(lowerCase: false).Tokenize("Héllo, World"), Is.EqualTo(new[] { "Héllo", ",", "World" }));

    [Test]
    public void EmptyAndWhitespaceOnlyTextGiveNoWords()
    {
        Assert.That(Words(""), Is.Empty);
        Assert.That(Words(" \t\n\u3000\u0000"), Is.Empty);
        Assert.That(Words("\u0301"), Is.Empty, "a word made only of a combining mark disappears");
    }
}

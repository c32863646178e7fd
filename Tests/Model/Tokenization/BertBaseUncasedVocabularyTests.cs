using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

/// <summary>
/// Biomedical sentences with the real bert-base-uncased vocabulary. Each expectation was checked piece by piece in
/// vocab.txt: e.g. "asystole" → "as" (id 2005), "##yst" (27269), "##ole", because neither "asys…" nor "##ystol…" exists.
/// </summary>
public class BertBaseUncasedVocabularyTests
{
    private static WordPieceTokenizer LoadTokenizer() =>
        new(Vocabulary.Load(TokenizerTestData.SharedFile("vocab/bert-base-uncased-vocab.txt")));

    [Test]
    public void SpecialTokenIdsMatchTheReadme()
    {
        var vocabulary = LoadTokenizer().Vocabulary;
        Assert.That(vocabulary.Count, Is.EqualTo(30522));
        Assert.That((vocabulary.PadId, vocabulary.UnkId, vocabulary.ClsId, vocabulary.SepId, vocabulary.MaskId), Is.EqualTo((0, 100, 101, 102, 103)));
    }

    [TestCase("Naloxone reverses the antihypertensive effect of clonidine.",
        "na ##lo ##xon ##e reverse ##s the anti ##hy ##per ##tens ##ive effect of cl ##oni ##dine .")]
    [TestCase("Lidocaine-induced cardiac asystole.", "lid ##oca ##ine - induced cardiac as ##yst ##ole .")]
    [TestCase("IL-2 gene expression in T cells (n = 12).", "il - 2 gene expression in t cells ( n = 12 ) .")]
    [TestCase("Héllo Ångström, naïve café!", "hello ang ##strom , naive cafe !")]
    [TestCase("The [MASK] binds to DNA.", "the [MASK] binds to dna .")]
    public void TokenizesLikeBertTokenizer(string text, string expectedPieces) =>
        Assert.That(LoadTokenizer().Tokenize(text), Is.EqualTo(expectedPieces.Split(' ')));

    [Test]
    public void EncodeIdsUsesVocabularyLineIndices() =>
        // "the" is line 1997 (id 1996), "of" id 1997, "." id 1012.
        Assert.That(LoadTokenizer().EncodeIds("The of."), Is.EqualTo(new[] { 1996, 1997, 1012 }));

    [Test]
    public void DecodeJoinsPiecesBackIntoWords()
    {
        var tokenizer = LoadTokenizer();
        var encoded = tokenizer.Encode("Lidocaine-induced cardiac asystole.");
        Assert.That(tokenizer.Decode(encoded.InputIds), Is.EqualTo("lidocaine - induced cardiac asystole ."));
    }
}

using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

public class WordPieceTokenizerTests
{
    // ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then 5, 6, … in this order.
    private static readonly WordPieceTokenizer Tokenizer = new(TokenizerTestData.SmallVocabulary(
        "un", "##aff", "##able", "##ab", "##le", "aff", "a", "##a", "the", "cell", "##s", ".", ",", "😀", "##😀", "hello"));

    [Test]
    public void GreedyLongestMatchFirst() =>
        // "unaffable": "un" (no longer prefix), then "##aff" beats "##a", then "##able" beats "##ab".
        Assert.That(Tokenizer.Tokenize("unaffable"), Is.EqualTo(new[] { "un", "##aff", "##able" }));

    [Test]
    public void WholeWordBecomesUnknownWhenAnyPartHasNoPiece() =>
        // "cellx": "cell" matches but "##x" does not, so the whole word is [UNK], not "cell [UNK]".
        Assert.That(Tokenizer.Tokenize("the cellx cells"), Is.EqualTo(new[] { "the", "[UNK]", "cell", "##s" }));

    [Test]
    public void WordsLongerThan100CodePointsAreUnknown()
    {
        Assert.That(Tokenizer.Tokenize(new string('a', 100)), Has.Count.EqualTo(100), "100 code points: a ##a ##a …");
        Assert.That(Tokenizer.Tokenize(new string('a', 101)), Is.EqualTo(new[] { "[UNK]" }));
        // 60 emoji are 120 UTF-16 units but only 60 code points: still within the limit.
        Assert.That(Tokenizer.Tokenize(string.Concat(Enumerable.Repeat("😀", 60))), Has.Count.EqualTo(60));
        Assert.That(Tokenizer.Tokenize(string.Concat(Enumerable.Repeat("😀", 101))), Is.EqualTo(new[] { "[UNK]" }));
    }

    [Test]
    public void AstralPiecesAreMatchedWhole() =>
        Assert.That(Tokenizer.Tokenize("😀😀 a😀"), Is.EqualTo(new[] { "😀", "##😀", "a", "##😀" }));

    [Test]
    public void EncodeIdsMatchesVocabularyIds() =>
        Assert.That(Tokenizer.EncodeIds("The cells, hello."), Is.EqualTo(new[] { 13, 14, 15, 17, 20, 16 }));

    [Test]
    public void SpecialTokensInTextMapToTheirIds() =>
        Assert.That(Tokenizer.EncodeIds("the [MASK] cell"), Is.EqualTo(new[] { 13, 4, 14 }));

    [Test]
    public void EncodeSingleSequenceAddsClsAndSep()
    {
        var encoded = Tokenizer.Encode("the cells");
        Assert.That(encoded.InputIds, Is.EqualTo(new[] { 2, 13, 14, 15, 3 }));
        Assert.That(encoded.TokenTypeIds, Is.EqualTo(new[] { 0, 0, 0, 0, 0 }));
        Assert.That(encoded.AttentionMask, Is.EqualTo(new[] { 1, 1, 1, 1, 1 }));
    }

    [Test]
    public void EncodePairMarksSecondSegmentWithTypeOne()
    {
        var encoded = Tokenizer.Encode("the cell", "hello");
        Assert.That(encoded.InputIds, Is.EqualTo(new[] { 2, 13, 14, 3, 20, 3 }));
        Assert.That(encoded.TokenTypeIds, Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1 }));
        Assert.That(encoded.AttentionMask, Is.EqualTo(new[] { 1, 1, 1, 1, 1, 1 }));
    }

    [Test]
    public void TruncationCutsTheLongerSideFromTheEnd()
    {
        // A = the cell ##s . , (5 pieces), B = hello (1): budget 8 − 3 = 5 cuts A down to 4.
        var encoded = Tokenizer.Encode("the cells.,", "hello", maxLength: 8);
        Assert.That(encoded.InputIds, Is.EqualTo(new[] { 2, 13, 14, 15, 16, 3, 20, 3 }));
    }

    [Test]
    public void TruncationTakesFromTheSecondSideOnATie()
    {
        // A = 3 pieces, B = 3 pieces, budget 7 − 3 = 4: the tie cuts B first, then A is the longer → 2 + 2.
        var encoded = Tokenizer.Encode("the cell .", "hello , .", maxLength: 7);
        Assert.That(encoded.InputIds, Is.EqualTo(new[] { 2, 13, 14, 3, 20, 17, 3 }));
        Assert.That(encoded.TokenTypeIds, Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1, 1 }));
    }

    [Test]
    public void TruncationOfSingleSequenceKeepsTheStart() =>
        Assert.That(Tokenizer.Encode("the cells hello", maxLength: 4).InputIds, Is.EqualTo(new[] { 2, 13, 14, 3 }));

    [Test]
    public void EncodeRejectsMaxLengthWithoutRoomForSpecials() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Encode("a", "a", maxLength: 2));

    [Test]
    public void DecodeJoinsContinuationPieces()
    {
        int[] ids = Tokenizer.Encode("The unaffable cells", "hello").InputIds;
        Assert.That(Tokenizer.Decode(ids), Is.EqualTo("the unaffable cells hello"));
        Assert.That(Tokenizer.Decode(ids, skipSpecialTokens: false), Is.EqualTo("[CLS] the unaffable cells [SEP] hello [SEP]"));
    }

    [Test]
    public void DecodeSkipsUnknownAsASpecialTokenAndMapsBadIdsToUnknown()
    {
        Assert.That(Tokenizer.Decode([13, 1, 14]), Is.EqualTo("the cell"));
        Assert.That(Tokenizer.Decode([13, 999, -1]), Is.EqualTo("the [UNK] [UNK]"));
        Assert.That(Tokenizer.Decode([15, 13]), Is.EqualTo("##s the"), "a leading continuation keeps its ## like Hugging Face's strip()");
    }
}

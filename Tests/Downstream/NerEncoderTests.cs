using MiniBioBert.Engine.Cpu;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

public class NerEncoderTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    private static readonly string[] Labels = ["O", "B-Chem", "I-Chem"];

    // [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 aspirin=5 ##in=6 a=7 dose=8 of=9 ##e=10
    internal static WordPieceTokenizer Tokenizer() =>
        new(Vocabulary.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "aspir", "##in", "a", "dose", "of", "##e"]));

    [Test]
    public void LabelGoesOnTheFirstPieceOnly()
    {
        var encoder = new NerEncoder(Tokenizer(), Labels, maxSequenceLength: 16);
        var window = encoder.Encode([new TaggedSentence(["a", "dose", "aspirin"], ["O", "O", "B-Chem"])]).Single();
        Assert.That(window.InputIds, Is.EqualTo(new[] { 2, 7, 8, 5, 6, 3 }));
        Assert.That(window.Labels, Is.EqualTo(new[] { Ignored, 0, 0, 1, Ignored, Ignored }));
        Assert.That(window.WordPositions, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void AWordWithoutPiecesBecomesUnknown()
    {
        var encoder = new NerEncoder(Tokenizer(), Labels, maxSequenceLength: 16);
        Assert.That(encoder.WordPieces("\u200b"), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void WindowsAreGreedyAndCoverEveryWordOnce()
    {
        Assert.That(NerEncoder.SplitIntoWindows([2, 2, 1, 3, 1], 4), Is.EqualTo(new[] { (0, 2), (2, 2), (4, 1) }));
        Assert.That(NerEncoder.SplitIntoWindows([], 4), Is.Empty);
    }

    [Test]
    public void LongSentencesAreSplitAndReassembled()
    {
        // 9 words of 1–2 pieces in windows of 5 − 2 = 3 pieces: several windows, each ≤ 5 tokens.
        string[] words = ["a", "aspirin", "dose", "of", "aspirin", "a", "dose", "dosee", "of"];
        string[] tags = ["O", "B-Chem", "O", "O", "B-Chem", "O", "O", "O", "O"];
        var encoder = new NerEncoder(Tokenizer(), Labels, maxSequenceLength: 5);
        var windows = encoder.Encode([new TaggedSentence(words, tags)]);
        Assert.That(windows, Has.Count.GreaterThan(2));
        Assert.That(windows.All(w => w.InputIds.Length <= 5 && w.InputIds[0] == 2 && w.InputIds[^1] == 3));

        // Reassembly: every word appears exactly once, in order, with its own label at its first piece.
        var covered = windows.SelectMany(w => Enumerable.Range(w.FirstWord, w.WordPositions.Length)).ToArray();
        Assert.That(covered, Is.EqualTo(Enumerable.Range(0, words.Length)));
        var labelsAtFirstPieces = windows.SelectMany(w => w.WordPositions.Select(p => Labels[w.Labels[p]]));
        Assert.That(labelsAtFirstPieces, Is.EqualTo(tags));
    }

    [Test]
    public void AWordLongerThanAWindowKeepsItsFirstPieces()
    {
        var encoder = new NerEncoder(Tokenizer(), Labels, maxSequenceLength: 3);
        var windows = encoder.Encode([new TaggedSentence(["aspirin", "a"], ["B-Chem", "O"])]);
        Assert.That(windows.Select(w => w.InputIds), Is.EqualTo(new[] { new[] { 2, 5, 3 }, new[] { 2, 7, 3 } }));
    }

    [Test]
    public void UnknownTagIsReportedWithItsLine()
    {
        var encoder = new NerEncoder(Tokenizer(), Labels, maxSequenceLength: 8);
        var error = Assert.Throws<InvalidDataException>(() => encoder.Encode([new TaggedSentence(["a"], ["B-Dis"], FirstLine: 7)]))!;
        Assert.That(error.Message, Does.Contain("Line 7").And.Contain("B-Dis"));
    }
}

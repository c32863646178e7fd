using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

public class WordPieceTrainerTests
{
    private static readonly string[] Specials = TokenizerTestData.Specials;

    [Test]
    public void PutsSpecialsThenAlphabetThenContinuationsThenMerges()
    {
        // Words: "ab" ×3, "abc" ×1 → pairs (a, ##b) = 4, (##b, ##c) = 1. First merge "ab" (4); then (ab, ##c) = 1 gives "abc".
        var trainer = new WordPieceTrainer(new WordPieceTrainerOptions(VocabSize: 13, MinFrequency: 1));
        var vocabulary = trainer.Train(["AB ab", "ab abc"]);
        Assert.That(vocabulary.Tokens, Is.EqualTo((string[])[.. Specials, "a", "b", "c", "##a", "##b", "##c", "ab", "abc"]));
    }

    [Test]
    public void StopsAtMinimumFrequency()
    {
        var trainer = new WordPieceTrainer(new WordPieceTrainerOptions(VocabSize: 100, MinFrequency: 2));
        var vocabulary = trainer.Train(["ab ab ab abc"]);
        Assert.That(vocabulary.Tokens.Skip(11), Is.EqualTo(new[] { "ab" }), "(ab, ##c) occurs once, below MinFrequency");
    }

    [Test]
    public void MergesContinuationPiecesAndBreaksTiesBySmallerIds()
    {
        // "xyz" ×2 and "wyz" ×2: pairs (x,##y)=2, (w,##y)=2, (##y,##z)=4 → "##yz" first; then (w,##yz) and (x,##yz)
        // tie at 2 and w (smaller id) wins.
        var trainer = new WordPieceTrainer(new WordPieceTrainerOptions(VocabSize: 16, MinFrequency: 1));
        var vocabulary = trainer.Train(["xyz wyz xyz wyz"]);
        Assert.That(vocabulary.Tokens.Skip(13), Is.EqualTo(new[] { "##yz", "wyz", "xyz" }));
    }

    [Test]
    public void LimitsTheAlphabetToTheMostFrequentCharacters()
    {
        // With 2 characters allowed, "a" (4) and "b" (3) stay; "c" (1) is dropped, and so is the word "abc".
        var trainer = new WordPieceTrainer(new WordPieceTrainerOptions(VocabSize: 100, MinFrequency: 1, MaxAlphabetSize: 2));
        var vocabulary = trainer.Train(["ab ab a abc"]);
        Assert.That(vocabulary.Tokens, Is.EqualTo((string[])[.. Specials, "a", "b", "##a", "##b", "ab"]));
    }

    [Test]
    public void UsesBasicTokenizerWordsAndSkipsSpecialTokens()
    {
        var trainer = new WordPieceTrainer(new WordPieceTrainerOptions());
        var counts = trainer.CountWords(["Héllo, [MASK] hello!"]);
        Assert.That(counts, Is.EquivalentTo(new Dictionary<string, long> { ["hello"] = 2, [","] = 1, ["!"] = 1 }));
    }

    [Test]
    public void IsDeterministicAndTrainedVocabularyTokenizesItsCorpus()
    {
        string[] corpus = ["The cells were treated with cisplatin.", "Cisplatin-treated cells died.", "Treated cells, untreated cells."];
        var options = new WordPieceTrainerOptions(VocabSize: 200, MinFrequency: 1);
        var first = new WordPieceTrainer(options).Train(corpus);
        var second = new WordPieceTrainer(options).Train(corpus);
        Assert.That(first.Tokens, Is.EqualTo(second.Tokens));

        var tokenizer = new WordPieceTokenizer(first);
        Assert.That(tokenizer.Tokenize("cisplatin-treated cells"), Is.EqualTo(new[] { "cisplatin", "-", "treated", "cells" }));
        Assert.That(tokenizer.EncodeIds(string.Join(" ", corpus)), Does.Not.Contain(first.UnkId));
    }
}

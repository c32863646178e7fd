using System.IO.Compression;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

/// <summary>Trains the 30,522-token vocabulary on the real pretraining corpus and compares it with bert-base-uncased.</summary>
public class BiomedicalVocabularyTrainingTests
{
    /// <summary>About 18 s in a Debug build on 2 cores (3 s in Release); filter out with Category!=Slow.</summary>
    [Test]
    [Category("Slow")]
    public void TrainedVocabularyNeedsFewerPiecesPerWordThanBertBaseOnHeldOutAbstracts()
    {
        string corpus = TokenizerTestData.SharedFile("pretrain/biomed_pretrain_corpus.txt.gz");
        string bertVocabulary = TokenizerTestData.SharedFile("vocab/bert-base-uncased-vocab.txt");
        // Held out: BC5CDR test titles and abstracts ("PMID|t|title", "PMID|a|abstract"), which the corpus excludes.
        var heldOut = File.ReadLines(TokenizerTestData.SharedFile("ner/bc5cdr/pubtator/CDR_TestSet.PubTator.txt"))
            .Where(line => line.Contains("|t|", StringComparison.Ordinal) || line.Contains("|a|", StringComparison.Ordinal))
            .Select(line => line.Split('|', 3)[2])
            .ToList();

        var trained = new WordPieceTrainer(new WordPieceTrainerOptions(VocabSize: 30522)).Train(ReadLines(corpus));
        string path = Path.Combine(Path.GetTempPath(), $"trained-vocab-{Guid.NewGuid():N}.txt");
        trained.Save(path);
        var reloaded = Vocabulary.Load(path);
        File.Delete(path);

        double trainedPiecesPerWord = PiecesPerWord(new WordPieceTokenizer(reloaded), heldOut);
        double bertPiecesPerWord = PiecesPerWord(new WordPieceTokenizer(Vocabulary.Load(bertVocabulary)), heldOut);
        TestContext.Out.WriteLine($"pieces per word: trained {trainedPiecesPerWord:F4}, bert-base-uncased {bertPiecesPerWord:F4}");

        Assert.That(reloaded.Count, Is.EqualTo(30522));
        Assert.That(trainedPiecesPerWord, Is.LessThan(bertPiecesPerWord));
    }

    private static double PiecesPerWord(WordPieceTokenizer tokenizer, List<string> texts)
    {
        var basicTokenizer = new BasicTokenizer();
        long words = texts.Sum(text => (long)basicTokenizer.Tokenize(text).Count);
        long pieces = texts.Sum(text => (long)tokenizer.EncodeIds(text).Length);
        return (double)pieces / words;
    }

    private static IEnumerable<string> ReadLines(string gzipPath)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}

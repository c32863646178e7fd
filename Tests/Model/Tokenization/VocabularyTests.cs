using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

public class VocabularyTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("vocab-tests").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string Write(string content)
    {
        string path = Path.Combine(_directory, "vocab.txt");
        File.WriteAllText(path, content);
        return path;
    }

    [Test]
    public void LoadsIdsFromLineIndexWithCrlfAndTrailingNewline()
    {
        var vocabulary = Vocabulary.Load(Write("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nthe\r\n##s\r\n"));
        Assert.That(vocabulary.Count, Is.EqualTo(7));
        Assert.That((vocabulary.PadId, vocabulary.UnkId, vocabulary.ClsId, vocabulary.SepId, vocabulary.MaskId), Is.EqualTo((0, 1, 2, 3, 4)));
        Assert.That(vocabulary.TryGetId("##s", out int id), Is.True);
        Assert.That(id, Is.EqualTo(6));
        Assert.That(vocabulary.GetToken(5), Is.EqualTo("the"));
        Assert.That(vocabulary.TryGetId("missing", out _), Is.False);
    }

    [Test]
    public void LoadsWithoutTrailingNewline() =>
        Assert.That(Vocabulary.Load(Write("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]")).Count, Is.EqualTo(5));

    [Test]
    public void MissingFileThrowsFileNotFound()
    {
        string path = Path.Combine(_directory, "nope.txt");
        var error = Assert.Throws<FileNotFoundException>(() => Vocabulary.Load(path));
        Assert.That(error!.Message, Does.Contain(path));
    }

    [Test]
    public void EmptyFileIsRejected()
    {
        string path = Write("");
        var error = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("empty"));
    }

    [Test]
    public void DuplicateTokenNamesBothLines()
    {
        string path = Write("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncell\nthe\n");
        var error = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("'the'").And.Contain("line 6").And.Contain("line 8"));
    }

    [Test]
    public void EmptyLineIsRejectedWithItsNumber()
    {
        string path = Write("[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n[MASK]\n");
        var error = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("line 3"));
    }

    [Test]
    public void MissingSpecialTokenIsRejected()
    {
        string path = Write("[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n");
        var error = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("[MASK]"));
    }

    [Test]
    public void SaveWritesAtomicallyAndRoundTrips()
    {
        var vocabulary = TokenizerTestData.SmallVocabulary("the", "##s", "é", "😀");
        string path = Path.Combine(_directory, "sub", "vocab.txt");
        vocabulary.Save(path);
        Assert.That(File.ReadAllText(path), Is.EqualTo("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\né\n😀\n"));
        Assert.That(File.Exists(path + ".tmp"), Is.False);
        Assert.That(Vocabulary.Load(path).Tokens, Is.EqualTo(vocabulary.Tokens));
    }

    [Test]
    public void FromTokensRejectsLineBreaks() =>
        Assert.Throws<InvalidDataException>(() => TokenizerTestData.SmallVocabulary("a\nb"));

    [Test]
    public void GetTokenRejectsIdsOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenizerTestData.SmallVocabulary().GetToken(5));
}

using System.Text;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Training.Data;

public class CorpusReaderTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = TestCorpora.NewFolder();

    [TearDown]
    public void DeleteFolder() => TestCorpora.DeleteFolder(_folder);

    [Test]
    public void PlainTextSplitsDocumentsAtBlankLinesAndTrimsLines()
    {
        var path = TestCorpora.WriteText(_folder, "plain.txt", "\n\n  First one.  \r\nSecond one.\r\n\r\n\n \nThird one.\n\t\nFourth one.");
        var documents = SentencePerLineReader.Read(path).ToList();

        Assert.That(documents.Select(d => d.Sentences), Is.EqualTo(new[]
        {
            new[] { "First one.", "Second one." },
            new[] { "Third one." },
            new[] { "Fourth one." },
        }));
        Assert.That(documents[0].Id, Is.EqualTo("plain.txt:3"));
    }

    [Test]
    public void GzipIsRecognizedByItsMagicBytesNotItsName()
    {
        var text = "Alpha beta.\nGamma.\n\nDelta.\n";
        var gzipNamedTxt = TestCorpora.WriteGzip(_folder, "compressed.txt", text);
        var plain = TestCorpora.WriteText(_folder, "plain.txt.gz", text);

        Assert.That(SentencePerLineReader.Read(gzipNamedTxt).Select(d => d.Sentences),
            Is.EqualTo(SentencePerLineReader.Read(plain).Select(d => d.Sentences)));
        Assert.That(SentencePerLineReader.Read(gzipNamedTxt).Count(), Is.EqualTo(2));
    }

    [Test]
    public void PubTatorDocumentIsTitlePlusSplitAbstractAndIgnoresAnnotations()
    {
        var text =
            "123|t|Aspirin and headache.\n" +
            "123|a|We studied aspirin. It helped 10 patients. See Fig. 2 here.\n" +
            "123\t0\t7\tAspirin\tChemical\tD001241\n" +
            "123\tCID\tD001241\tD006261\n" +
            "\n" +
            "456|t|Second title\n" +
            "456|a|Only one sentence.\n";
        var path = TestCorpora.WriteText(_folder, "cdr.PubTator.txt", text);

        var documents = CorpusReader.ReadDocuments([new CorpusSource(path)]).ToList();

        Assert.That(CorpusReader.DetectFormat(path), Is.EqualTo(CorpusFormat.PubTator));
        Assert.That(documents.Select(d => d.Sentences), Is.EqualTo(new[]
        {
            new[] { "Aspirin and headache.", "We studied aspirin.", "It helped 10 patients.", "See Fig. 2 here." },
            new[] { "Second title", "Only one sentence." },
        }));
        Assert.That(documents[1].Id, Is.EqualTo("cdr.PubTator.txt:456"));
    }

    [Test]
    public void MalformedPubTatorLineNamesFileAndLine()
    {
        var path = TestCorpora.WriteText(_folder, "bad.pubtator", "1|t|Title\n1|a|Abstract.\nnot a pubtator line\n");
        var error = Assert.Throws<InvalidDataException>(() => CorpusReader.ReadDocuments([new CorpusSource(path, CorpusFormat.PubTator)]).ToList());
        Assert.That(error!.Message, Does.Contain("bad.pubtator").And.Contain("line 3"));
    }

    [Test]
    public void SeveralFilesAreReadInOrder()
    {
        var first = TestCorpora.WriteText(_folder, "a.txt", "A1.\n\nA2.\n");
        var second = TestCorpora.WriteGzip(_folder, "b.txt.gz", "B1.\n");
        var documents = CorpusReader.ReadDocuments([new CorpusSource(first), new CorpusSource(second)]).ToList();
        Assert.That(documents.Select(d => d.Sentences[0]), Is.EqualTo(new[] { "A1.", "A2.", "B1." }));
    }

    [Test]
    public void MissingFileNamesThePath()
    {
        var path = Path.Combine(_folder, "nowhere.txt");
        var error = Assert.Throws<FileNotFoundException>(() => CorpusReader.ReadDocuments([new CorpusSource(path)]).ToList());
        Assert.That(error!.Message, Does.Contain(path));
    }

    [Test]
    public void EmptyCorpusIsAClearError()
    {
        var path = TestCorpora.WriteText(_folder, "empty.txt", "\n  \n\n");
        var error = Assert.Throws<InvalidDataException>(() => CorpusReader.ReadDocuments([new CorpusSource(path)]).ToList());
        Assert.That(error!.Message, Does.Contain("empty.txt").And.Contain("no documents"));
    }

    [Test]
    public void BinaryFileIsRejectedWithFileAndLine()
    {
        var path = Path.Combine(_folder, "image.png");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]);
        var error = Assert.Throws<InvalidDataException>(() => CorpusReader.ReadDocuments([new CorpusSource(path)]).ToList());
        Assert.That(error!.Message, Does.Contain("image.png").And.Contain("line 3").And.Contain("binary"));
    }

    [Test]
    public void InvalidUtf8NamesFileAndLine()
    {
        var path = Path.Combine(_folder, "latin1.txt");
        var bytes = Encoding.UTF8.GetBytes("Good line.\nAnother good one.\nCaf").Concat(new byte[] { 0xE9, (byte)'.', (byte)'\n' }).ToArray();
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => CorpusReader.ReadDocuments([new CorpusSource(path)]).ToList());
        Assert.That(error!.Message, Does.Contain("latin1.txt").And.Contain("line 3").And.Contain("UTF-8"));
    }

    [Test]
    public void OverlongLineNamesFileAndLine()
    {
        var path = TestCorpora.WriteText(_folder, "long.txt", "short\n" + new string('x', 5000) + "\n");
        var error = Assert.Throws<InvalidDataException>(() => SentencePerLineReader.Read(path, maxLineBytes: 1000).ToList());
        Assert.That(error!.Message, Does.Contain("long.txt").And.Contain("line 2").And.Contain("1000 bytes"));
    }

    [Test]
    public void TruncatedGzipIsAClearError()
    {
        var full = TestCorpora.WriteGzip(_folder, "full.gz", string.Concat(Enumerable.Repeat("Some sentence here.\n", 5000)));
        var bytes = File.ReadAllBytes(full);
        var path = Path.Combine(_folder, "cut.gz");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Catch<Exception>(() => SentencePerLineReader.Read(path).ToList());
        Assert.That(error, Is.InstanceOf<InvalidDataException>());
        Assert.That(error!.Message, Does.Contain("cut.gz"));
    }
}

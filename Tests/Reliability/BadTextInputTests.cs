using System.IO.Compression;
using System.Text;
using MiniBioBert.Engine.IO;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// What the program reads (second round): every text input is strict UTF-8 (a BOM and CR LF accepted, giving the same
/// result as LF), a message quotes at most about 200 characters of input, and empty or damaged fine-tuning splits are
/// refused before training, naming the file and the line.
/// </summary>
public class BadTextInputTests
{
    private const string Iob = "Aspirin\tB-Chemical\ncauses\tO\nfever\tB-Disease\n.\tO\n\nNo\tO\nentity\tO\n\n";

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The same text with CR LF line ends and a UTF-8 byte order mark.</summary>
    private static byte[] CrLfWithBom(string text) => [.. Bom, .. Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n", StringComparison.Ordinal))];

    private static string TenThousandWords() => string.Join(' ', Enumerable.Range(0, 10_000).Select(i => $"word{i}"));

    // ---- encodings ----

    [Test]
    public void VocabularyWithInvalidUtf8IsRefusedNamingItsLine()
    {
        using var sandbox = new Sandbox();
        var lines = File.ReadAllLines(Sandbox.TinyVocabulary).Select(Encoding.UTF8.GetBytes).ToList();
        lines[12] = [(byte)'c', (byte)'a', (byte)'f', 0xE9];   // "café" in Latin-1: line 13
        string vocab = sandbox.Write("latin1-vocab.txt", [.. lines.SelectMany(l => l.Append((byte)'\n'))]);

        var result = Cli.Run(sandbox, "inspect", "tokens", "--text", "the cell binds dna", "--vocab", vocab);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "latin1-vocab.txt", "line 13", "not valid UTF-8", "byte 0xE9 at column 4");
        TestContext.Out.WriteLine(Cli.FirstErrorLine(result));
    }

    [Test]
    public void Utf16VocabularyIsRefusedAsNotUtf8()
    {
        using var sandbox = new Sandbox();
        string vocab = sandbox.Write("utf16-vocab.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(File.ReadAllText(Sandbox.TinyVocabulary))]);

        var result = Cli.Run(sandbox, "inspect", "tokens", "--text", "the cell", "--vocab", vocab);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "utf16-vocab.txt", "UTF-16", "UTF-8");
    }

    [Test]
    public void VocabularyWithCrLfAndBomTokenizesLikeLf()
    {
        using var sandbox = new Sandbox();
        string crlf = sandbox.Write("crlf-vocab.txt", CrLfWithBom(File.ReadAllText(Sandbox.TinyVocabulary)));
        Assert.That(File.ReadAllBytes(Sandbox.TinyVocabulary).AsSpan(0, 3).SequenceEqual(Bom), Is.False, "the fixture itself is plain LF");

        Assert.That(Vocabulary.Load(crlf).Tokens, Is.EqualTo(Vocabulary.Load(Sandbox.TinyVocabulary).Tokens));
        var lf = Cli.Run(sandbox, "inspect", "tokens", "--text", "the cell binds dna", "--vocab", Sandbox.TinyVocabulary);
        var windows = Cli.Run(sandbox, "inspect", "tokens", "--text", "the cell binds dna", "--vocab", crlf);
        Assert.That(windows.ExitCode, Is.Zero, windows.ToString());
        static string TokensOf(CliResult result) => string.Join('\n', result.Output.Split('\n').Where(l => !l.StartsWith("Vocabulary:", StringComparison.Ordinal)));
        Assert.That(TokensOf(windows), Is.EqualTo(TokensOf(lf)));
        Assert.That(TokensOf(lf), Does.Contain("cell"));
    }

    [Test]
    public void CorpusWithCrLfAndBomReadsLikeLfPlainAndGzip()
    {
        using var sandbox = new Sandbox();
        string lf = sandbox.WriteTinyCorpus(documents: 12);
        string crlf = sandbox.Write("crlf.txt", CrLfWithBom(File.ReadAllText(lf)));
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest))
        {
            gzip.Write(File.ReadAllBytes(crlf));
        }
        string crlfGz = sandbox.Write("crlf.txt.gz", gzipped.ToArray());

        string[] Sentences(string path) => [.. CorpusReader.ReadDocuments([new CorpusSource(path)]).SelectMany(d => d.Sentences)];
        Assert.That(Sentences(crlf), Is.EqualTo(Sentences(lf)));
        Assert.That(Sentences(crlfGz), Is.EqualTo(Sentences(lf)));
    }

    [Test]
    public void IobWithCrLfAndBomReadsLikeLf()
    {
        using var sandbox = new Sandbox();
        var lf = IobFile.Read(sandbox.Write("lf.tsv", Iob));
        var crlf = IobFile.Read(sandbox.Write("crlf.tsv", CrLfWithBom(Iob)));
        Assert.That(crlf.Select(s => (string.Join(' ', s.Words), string.Join(' ', s.Tags), s.FirstLine)),
            Is.EqualTo(lf.Select(s => (string.Join(' ', s.Words), string.Join(' ', s.Tags), s.FirstLine))));
        Assert.That(lf[0].Words[0], Is.EqualTo("Aspirin"), "the BOM is not part of the first word");
    }

    [Test]
    public void ClassificationFilesWithCrLfAndBomReadLikeLf()
    {
        using var sandbox = new Sandbox();
        const string piboso = "###1\nbackground\tSome text .\noutcome\tMore text .\n\n";
        const string hoc = "pmid\tsent_idx\tlabels_raw\tsentence\n1\t0\tA--x ANDB\tText .\n";
        string Key(List<LabeledSentence> sentences) => string.Join("|", sentences.Select(s => $"{s.Document}/{s.Text}/{string.Join(',', s.Labels)}"));
        Assert.That(Key(PibosoReader.Read(sandbox.Write("p-crlf.txt", CrLfWithBom(piboso)))), Is.EqualTo(Key(PibosoReader.Read(sandbox.Write("p-lf.txt", piboso)))));
        Assert.That(Key(HocReader.Read(sandbox.Write("h-crlf.tsv", CrLfWithBom(hoc)))), Is.EqualTo(Key(HocReader.Read(sandbox.Write("h-lf.tsv", hoc)))));
    }

    [Test]
    public void InvalidUtf8InAnIobFileNamesTheLine()
    {
        using var sandbox = new Sandbox();
        string path = sandbox.Write("train.tsv", [.. Encoding.UTF8.GetBytes("good\tO\n\ncaf"), 0xE9, .. Encoding.UTF8.GetBytes("\tO\n")]);
        var error = Assert.Throws<InvalidDataException>(() => IobFile.Read(path))!;
        Assert.That(error.Message, Is.EqualTo($"{path}, line 3: not valid UTF-8 (byte 0xE9 at column 4)."));
    }

    // ---- message size ----

    [Test]
    public void QuoteKeepsShortTextAndCutsLongText()
    {
        Assert.That(InputText.Quote("short"), Is.EqualTo("short"));
        string cut = InputText.Quote(new string('x', 5000));
        Assert.That(cut, Is.EqualTo(new string('x', InputText.MaxQuotedChars) + "… (5000 characters)"));
        string emoji = string.Concat(Enumerable.Repeat("😀", 150));
        string quoted = InputText.Quote(emoji);
        Assert.That(quoted, Does.EndWith("… (300 characters)"));
        Assert.That(char.IsHighSurrogate(quoted[quoted.Length - "… (300 characters)".Length - 1]), Is.False, "no surrogate pair is cut");
    }

    [Test]
    public void TenThousandWordLineGivesAShortMessage()
    {
        using var sandbox = new Sandbox();
        string line = TenThousandWords();
        var messages = new List<string>
        {
            Assert.Throws<InvalidDataException>(() => IobFile.Read(sandbox.Write("bad.tsv", $"a\tO\n{line}\n")))!.Message,
            Assert.Throws<InvalidDataException>(() => IobFile.Read(sandbox.Write("bad-tag.tsv", $"a\t{line}\n")))!.Message,
            Assert.Throws<InvalidDataException>(() => PibosoReader.Read(sandbox.Write("bad_clean.txt", $"###1\n{line}\n")))!.Message,
            Assert.Throws<InvalidDataException>(() => HocReader.Read(sandbox.Write("bad-hoc.tsv", $"pmid\tsent_idx\tlabels_raw\tsentence\n{line}\n")))!.Message,
            Assert.Throws<InvalidDataException>(() => HocReader.Read(sandbox.Write("bad-header.tsv", $"{line}\n")))!.Message,
            Assert.Throws<InvalidDataException>(() => Vocabulary.FromTokens([.. File.ReadAllLines(Sandbox.TinyVocabulary), line, line]))!.Message,
        };
        foreach (string message in messages)
        {
            TestContext.Out.WriteLine(message);
            Assert.That(message.Replace(sandbox.Root, "", StringComparison.Ordinal), Has.Length.LessThan(400));
            Assert.That(message, Does.Contain("(88889 characters)"));
        }
    }

    [Test]
    public void TenThousandWordLineThroughFinetuneNerGivesAShortMessage()
    {
        using var sandbox = new Sandbox();
        string data = WriteNerFolder(sandbox, devel: $"a\tO\n\n{TenThousandWords()}\n");

        var result = FinetuneNer(sandbox, data);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "devel.tsv", "line 3", "found 1 column(s)", "(88889 characters)");
        Assert.That(Cli.FirstErrorLine(result).Length, Is.LessThan(300 + sandbox.Root.Length));
    }

    // ---- fine-tuning data ----

    private static IEnumerable<TestCaseData> DamagedNerSplits()
    {
        yield return new TestCaseData("train.tsv", "", new[] { "train.tsv", "no sentences", "empty" }).SetName("{m}(empty train)");
        yield return new TestCaseData("devel.tsv", "\n\n  \n\n", new[] { "devel.tsv", "no sentences", "4 lines" }).SetName("{m}(devel of blank lines)");
        yield return new TestCaseData("test.tsv", "a\tO\n\nword O\n", new[] { "test.tsv", "line 3", "1 column(s)" }).SetName("{m}(test line without a tab)");
        yield return new TestCaseData("train.tsv", "a\tO\nb\tB_Chemical\n", new[] { "train.tsv", "line 2", "unknown tag 'B_Chemical'", "tag column" }).SetName("{m}(unknown tag)");
        yield return new TestCaseData("devel.tsv", "\ta\tO\n", new[] { "devel.tsv", "line 1", "3 column(s)" }).SetName("{m}(extra column)");
        yield return new TestCaseData("test.tsv", "\tO\n", new[] { "test.tsv", "line 1", "an empty word" }).SetName("{m}(empty word)");
    }

    [TestCaseSource(nameof(DamagedNerSplits))]
    public void FinetuneNerRefusesDamagedSplitsBeforeTraining(string file, string text, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string data = WriteNerFolder(sandbox,
            train: file == "train.tsv" ? text : null, devel: file == "devel.tsv" ? text : null, test: file == "test.tsv" ? text : null);

        var result = FinetuneNer(sandbox, data);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, mentions);
        Assert.That(result.Output, Is.Empty, "nothing was trained");
        Assert.That(Directory.Exists(sandbox.PathOf("out")), Is.False, "nothing was written");
        TestContext.Out.WriteLine(Cli.FirstErrorLine(result).Replace(sandbox.Root, "…", StringComparison.Ordinal));
    }

    private static IEnumerable<TestCaseData> DamagedPibosoSplits()
    {
        yield return new TestCaseData("dev_clean.txt", "", new[] { "dev_clean.txt", "no labeled sentences" }).SetName("{m}(empty dev)");
        yield return new TestCaseData("test_clean.txt", "###1\n\n###2\n\n", new[] { "test_clean.txt", "no labeled sentences", "4 lines" }).SetName("{m}(only headers)");
        yield return new TestCaseData("train_clean.txt", "###1\nbackground Some text .\n", new[] { "train_clean.txt", "line 2", "without a tab" }).SetName("{m}(no tab)");
        yield return new TestCaseData("train_clean.txt", "background\tSome text .\n", new[] { "train_clean.txt", "line 1", "before the first '###PMID' header" }).SetName("{m}(no header)");
        yield return new TestCaseData("dev_clean.txt", "###1\n\tSome text .\n", new[] { "dev_clean.txt", "line 2", "empty label" }).SetName("{m}(empty label)");
    }

    [TestCaseSource(nameof(DamagedPibosoSplits))]
    public void PibosoRefusesDamagedSplits(string file, string text, string[] mentions)
    {
        using var sandbox = new Sandbox();
        const string good = "###1\nbackground\tSome text .\noutcome\tMore text .\n\n";
        foreach (string name in new[] { "train_clean.txt", "dev_clean.txt", "test_clean.txt" })
        {
            sandbox.Write($"data/classification/nicta-piboso/{name}", name == file ? text : good);
        }
        var error = Assert.Throws<InvalidDataException>(() => ClassificationDataSet.Load(ClassificationDataSet.Piboso, sandbox.PathOf("data")))!;
        TestContext.Out.WriteLine(error.Message.Replace(sandbox.Root, "…", StringComparison.Ordinal));
        Assert.That(error.Message, Does.Contain(sandbox.PathOf($"data/classification/nicta-piboso/{file}")));
        foreach (string mention in mentions)
        {
            Assert.That(error.Message, Does.Contain(mention));
        }
    }

    private static IEnumerable<TestCaseData> DamagedHocFiles()
    {
        yield return new TestCaseData("", new[] { "the file is empty", "expected the header" }).SetName("{m}(empty)");
        yield return new TestCaseData("pmid\tsent_idx\tlabels_raw\tsentence\n\n\n", new[] { "no sentences after the header" }).SetName("{m}(only the header)");
        yield return new TestCaseData("pmid,sent_idx,labels_raw,sentence\n", new[] { "line 1", "expected the header" }).SetName("{m}(comma header)");
        yield return new TestCaseData("pmid\tsent_idx\tlabels_raw\tsentence\n1\t0\tA--x\n", new[] { "line 2", "found 3 column(s)" }).SetName("{m}(three columns)");
        yield return new TestCaseData("pmid\tsent_idx\tlabels_raw\tsentence\n1\t0\tNULL\tText .\n", new[] { "no sentence has a hallmark" }).SetName("{m}(no labels)");
        yield return new TestCaseData("pmid\tsent_idx\tlabels_raw\tsentence\n1\t0\tA\tText .\n", new[] { "split", "has no sentences" }).SetName("{m}(one abstract: empty splits)");
    }

    [TestCaseSource(nameof(DamagedHocFiles))]
    public void HocRefusesDamagedFiles(string text, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string path = sandbox.Write("data/classification/hoc/hoc_sentences.tsv", text);
        var error = Assert.Throws<InvalidDataException>(() => ClassificationDataSet.Load(ClassificationDataSet.Hoc, sandbox.PathOf("data")))!;
        TestContext.Out.WriteLine(error.Message.Replace(sandbox.Root, "…", StringComparison.Ordinal));
        Assert.That(error.Message, Does.Contain(path));
        foreach (string mention in mentions)
        {
            Assert.That(error.Message, Does.Contain(mention));
        }
    }

    [Test]
    public void ClassificationDataSetRefusesALabelOutOfRange()
    {
        var sentence = new LabeledSentence("1", "Text .", ["background"]);
        var data = new ClassificationDataSet("synthetic", MiniBioBert.Model.Downstream.FineTuningTask.SingleLabelClassification, ["outcome"],
            [sentence], [sentence], [sentence]);
        var error = Assert.Throws<InvalidDataException>(data.Validate)!;
        Assert.That(error.Message, Does.Contain("train split").And.Contain("sentence 1").And.Contain("'background'"));
        Assert.Throws<InvalidDataException>((data with { Labels = ["background"], Devel = [] }).Validate);
    }

    [Test]
    public void EvaluatorsRefuseAnEmptySet()
    {
        var ner = Assert.Throws<InvalidDataException>(() => ConllEvaluator.Evaluate([], []))!;
        Assert.That(ner.Message, Does.Contain("NER evaluation set is empty"));
        var classification = Assert.Throws<InvalidDataException>(() => ClassificationScores.Evaluate(["a"], [], []))!;
        Assert.That(classification.Message, Does.Contain("classification evaluation set is empty"));
    }

    private static string WriteNerFolder(Sandbox sandbox, string? train = null, string? devel = null, string? test = null)
    {
        sandbox.Write("ner/train.tsv", train ?? Iob);
        sandbox.Write("ner/devel.tsv", devel ?? Iob);
        sandbox.Write("ner/test.tsv", test ?? Iob);
        return sandbox.PathOf("ner");
    }

    private static CliResult FinetuneNer(Sandbox sandbox, string data) =>
        Cli.Run(sandbox, "finetune", "ner", "--data", data, "--init", Sandbox.TinyCheckpoint, "--epochs", "1", "--max-seq", "16",
            "--threads", "1", "--output", sandbox.PathOf("out"));
}

using System.Text;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// Broken corpus files fed to <c>tokenizer train</c> and <c>train</c>: each is refused with one line naming the file
/// (and the line where there is one), exit code 1, and no vocabulary file or run directory left behind.
/// </summary>
public class BadCorpusTests
{
    /// <summary>Name, file bytes (null: the file is missing), words the message must contain.</summary>
    private static IEnumerable<TestCaseData> Corpora()
    {
        yield return new TestCaseData("empty.txt", (Func<byte[]?>)(() => []), new[] { "empty.txt", "no documents" }).SetName("{m}(empty)");
        yield return new TestCaseData("binary.bin", (Func<byte[]?>)(() => [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00, 0x0A, 0x00]),
            new[] { "binary.bin", "NUL byte", "line 1" }).SetName("{m}(binary)");
        yield return new TestCaseData("latin1.txt", (Func<byte[]?>)(() => Encoding.Latin1.GetBytes("first line is fine .\nla t\u00e9l\u00e9vision .\n")),
            new[] { "latin1.txt", "line 2", "not valid UTF-8" }).SetName("{m}(invalid UTF-8)");
        yield return new TestCaseData("one-line.txt", (Func<byte[]?>)(() => OneHugeLine(50_000_000)),
            new[] { "one-line.txt", "line 1", "longer than" }).SetName("{m}(one 50 MB line)");
        yield return new TestCaseData("missing.txt", (Func<byte[]?>)(() => null), new[] { "missing.txt" }).SetName("{m}(missing)");
    }

    [TestCaseSource(nameof(Corpora))]
    public void TokenizerTrainRefusesIt(string name, Func<byte[]?> content, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string corpus = Place(sandbox, name, content());
        string vocab = sandbox.PathOf("vocab.txt");

        var result = Cli.Run(sandbox, "tokenizer", "train", "--corpus", corpus, "--vocab-size", "60", "--output", vocab);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, mentions);
        Assert.That(Directory.EnumerateFiles(sandbox.Root, "vocab.txt*"), Is.Empty, "no vocabulary, complete or partial, is written");
    }

    [TestCaseSource(nameof(Corpora))]
    public void TrainRefusesItBeforeCreatingTheRunDirectory(string name, Func<byte[]?> content, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string corpus = Place(sandbox, name, content());
        string run = sandbox.PathOf("run");

        var result = Cli.Run(sandbox, Sandbox.TinyTrainArguments(corpus, run, steps: 1));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, mentions);
        Assert.That(Directory.Exists(run), Is.False, "no run directory is created");
        string cache = sandbox.PathOf(Path.Combine("corpus", "cache"));
        Assert.That(Directory.Exists(cache) ? Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories) : [], Is.Empty,
            "no token cache, complete or partial, is written");
    }

    [Test]
    public void ACorpusFolderWithoutFilesIsRefused()
    {
        using var sandbox = new Sandbox();
        string folder = sandbox.PathOf("empty-folder");
        Directory.CreateDirectory(folder);

        var result = Cli.Run(sandbox, "tokenizer", "train", "--corpus", folder, "--output", sandbox.PathOf("vocab.txt"));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "empty-folder", "no files");
    }

    private static string Place(Sandbox sandbox, string name, byte[]? bytes) =>
        bytes is null ? sandbox.PathOf(name) : sandbox.Write(name, bytes);

    private static byte[] OneHugeLine(int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)'a');
        for (int i = 7; i < length; i += 8)
        {
            bytes[i] = (byte)' ';
        }
        return bytes;
    }
}

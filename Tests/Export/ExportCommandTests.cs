using MiniBioBert.Tests.Model;
using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Export;

/// <summary><c>export onnx</c> on the command line: a file on success; one error line, exit ≠ 0 and no file otherwise.</summary>
public sealed class ExportCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandRunner.Invoke(Program.CreateRootCommand(), args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public void WritesTheTinyCheckpoint()
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("tiny.onnx");
        var (code, text, _) = Run("export", "onnx", "--checkpoint", TinyBertFixture.CheckpointDirectory, "--output", output);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(text, Does.StartWith("Pretraining model"));
        Assert.That(Directory.GetFiles(directory.Path), Is.EqualTo(new[] { output }));
    }

    [Test]
    public void ACheckpointThatDoesNotLoadLeavesNoFile()
    {
        using var directory = new TemporaryDirectory();
        var (code, _, error) = Run("export", "onnx", "--checkpoint", directory.File("missing"), "--output", directory.File("m.onnx"));
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(error.Trim(), Does.StartWith("error: ").And.Not.Contain("\n"));
        Assert.That(Directory.GetFileSystemEntries(directory.Path), Is.Empty);
    }

    [Test]
    public void AnOutputThatIsADirectoryFailsBeforeLoading()
    {
        using var directory = new TemporaryDirectory();
        var (code, _, error) = Run("export", "onnx", "--checkpoint", directory.File("missing"), "--output", directory.Path);
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(error, Does.StartWith("error: --output"));
    }
}

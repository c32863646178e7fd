using System.CommandLine;
using System.Text.Json;
using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Learners;

public class InspectModelCommandsTests
{
    [Test]
    public void FillMaskJsonListsEachMaskWithItsCandidates()
    {
        var (exitCode, output, error) = Invoke("fill-mask", "--checkpoint", TinyCheckpoint.Directory,
            "--text", "the patient [MASK] the receptor.", "--top-k", "3", "--json");

        Assert.That(exitCode, Is.Zero, error);
        using var json = JsonDocument.Parse(output);
        var predictions = json.RootElement[0].GetProperty("predictions");
        Assert.That(predictions.GetArrayLength(), Is.EqualTo(3));
        Assert.That(predictions[0].GetProperty("score").GetDouble(), Is.GreaterThanOrEqualTo(predictions[1].GetProperty("score").GetDouble()));
        Assert.That(predictions[0].GetProperty("token_str").GetString(), Is.Not.Empty);
    }

    [Test]
    public void AttentionWritesItsImagesIntoTheOutputDirectory()
    {
        using var directory = new TemporaryDirectory();
        string output = Path.Combine(directory.Path, "maps");

        var (exitCode, _, error) = Invoke("attention", "--checkpoint", TinyCheckpoint.Directory, "--text", TinyCheckpoint.SentenceA, "--output", output);

        Assert.That(exitCode, Is.Zero, error);
        Assert.That(Directory.GetFiles(output, "*.png"), Has.Length.EqualTo(5));
    }

    [Test]
    public void KnownErrorsPrintOneLineAndExitWithOne()
    {
        var (exitCode, _, error) = Invoke("fill-mask", "--checkpoint", TinyCheckpoint.Directory, "--text", "the patient binds.");

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(error, Does.StartWith("error: The text has no [MASK]"));
        Assert.That(error, Does.Not.Contain("   at "), "no stack trace");

        (exitCode, _, error) = Invoke("fill-mask", "--checkpoint", Path.Combine(TinyCheckpoint.Directory, "missing"), "--text", "[MASK]");
        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(error, Does.StartWith("error: ").And.Contains("missing"));
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in InspectModelCommands.CreateSubcommands())
        {
            root.Subcommands.Add(command);
        }
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}

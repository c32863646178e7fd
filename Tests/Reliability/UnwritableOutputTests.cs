using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// A run directory that cannot be created or written: a clear error before the first step. Tests run as root, where
/// permissions do not stop writes, so the paths are impossible instead: under a regular file, or under /proc.
/// </summary>
public class UnwritableOutputTests
{
    [Test]
    public void OutputUnderARegularFileIsRefusedBeforeTraining()
    {
        using var sandbox = new Sandbox();
        string file = sandbox.Write("not-a-folder", "x");
        string run = Path.Combine(file, "run");

        var result = Cli.Run(sandbox, Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 1));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, run, "not writable");
        Assert.That(result.All, Does.Not.Contain("Schedule:"), "no training step ran");
    }

    [Test]
    public void OutputUnderProcIsRefusedBeforeTraining()
    {
        using var sandbox = new Sandbox();
        const string Run = "/proc/minibiobert-run";

        var result = Cli.Run(sandbox, Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), Run, steps: 1));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, Run, "not writable");
    }

    [Test]
    public void TokenizerOutputUnderARegularFileIsAClearError()
    {
        using var sandbox = new Sandbox();
        string vocab = Path.Combine(sandbox.Write("not-a-folder", "x"), "vocab.txt");

        var result = Cli.Run(sandbox, "tokenizer", "train", "--corpus", sandbox.WriteTinyCorpus(), "--vocab-size", "60", "--output", vocab);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "not-a-folder");
    }
}

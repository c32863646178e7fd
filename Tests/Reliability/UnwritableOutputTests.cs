using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// An output that cannot be created or written: one clear error before any work, naming the option and the path, and
/// nothing left behind. Tests run as root, where permissions do not stop writes, so the paths are impossible instead:
/// under a regular file, or under /proc.
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

    /// <summary>
    /// Every command that writes, with its output (named by <c>{out}</c>) under a regular file and every input valid:
    /// refused before any work (no log line of loading or training), naming the option, the path and the file in the
    /// way; the sandbox holds exactly what it held before.
    /// </summary>
    [TestCase("--output", "train", "--corpus", "{corpus}", "--vocab", "{vocab}", "--steps", "1", "--layers", "1", "--hidden", "16", "--heads", "2", "--intermediate", "32", "--max-seq", "16", "--batch", "2", "--output", "{out}")]
    [TestCase("--output", "train", "--resume", "--output", "{out}")]
    [TestCase("--output", "finetune", "ner", "--data", "{ner}", "--init", "{checkpoint}", "--epochs", "1", "--output", "{out}")]
    [TestCase("--output", "finetune", "classify", "--task", "hoc", "--init", "{checkpoint}", "--epochs", "1", "--output", "{out}")]
    [TestCase("--doc", "compare", "--data", "{ner}", "--pretrained", "{checkpoint}", "--seeds", "1", "--epochs", "1", "--doc", "{out}", "--image", "plot.png")]
    [TestCase("--image", "compare", "--data", "{ner}", "--pretrained", "{checkpoint}", "--seeds", "1", "--epochs", "1", "--doc", "doc.md", "--image", "{out}")]
    [TestCase("--grads", "loss", "--checkpoint", "{checkpoint}", "--batch", "{batch}", "--grads", "{out}")]
    [TestCase("--output", "tokenizer", "train", "--corpus", "{corpus}", "--vocab-size", "60", "--output", "{out}")]
    [TestCase("--output", "inspect", "attention", "--checkpoint", "{checkpoint}", "--text", "the gene", "--output", "{out}")]
    public void EveryOutputIsCheckedBeforeAnyWork(string option, params string[] template)
    {
        using var sandbox = new Sandbox();
        string blocker = sandbox.Write("not-a-folder", "x");
        string output = Path.Combine(blocker, "out", "result");
        var substitutions = new Dictionary<string, string>
        {
            ["{corpus}"] = sandbox.WriteTinyCorpus(),
            ["{vocab}"] = Sandbox.TinyVocabulary,
            ["{ner}"] = sandbox.WriteTinyNerData(),
            ["{checkpoint}"] = Sandbox.TinyCheckpoint,
            ["{batch}"] = TestData.FixturePath("tiny_bert_batch.safetensors"),
            ["{out}"] = output,
        };
        string[] before = sandbox.Entries();

        var result = Cli.Run(sandbox, [.. template.Select(a => substitutions.GetValueOrDefault(a, a))]);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, $"{option} '{output}' is not writable: '{blocker}' is a file, not a folder.");
        Assert.That(result.Output, Does.Not.Contain("NER:").And.Not.Contain("Baseline").And.Not.Contain("Wrote"), "no work was done");
        Assert.That(sandbox.Entries(), Is.EqualTo(before), "nothing was written");
        TestContext.Out.WriteLine(Cli.FirstErrorLine(result));
    }

    [Test]
    public void AFailedCheckLeavesNoHalfMadeFolders()
    {
        using var sandbox = new Sandbox();
        // "new" and "new/deeper" can be made; a 300-byte name cannot (255 is the limit of a name on Linux).
        string output = Path.Combine(sandbox.PathOf("new"), "deeper", new string('x', 300));

        var result = Cli.Run(sandbox, "inspect", "attention", "--checkpoint", Sandbox.TinyCheckpoint, "--text", "the gene", "--output", output);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "--output", "is not writable");
        Assert.That(Directory.Exists(sandbox.PathOf("new")), Is.False, "the folders made for the probe are removed");
    }

    [Test]
    public void APassedCheckLeavesNothingWhenTheCommandFailsLater()
    {
        using var sandbox = new Sandbox();

        var result = Cli.Run(sandbox, "inspect", "attention", "--checkpoint", sandbox.PathOf("missing"), "--text", "the gene", "--output", sandbox.PathOf("a/b"));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "missing");
        Assert.That(Directory.Exists(sandbox.PathOf("a")), Is.False, "the probe's folders are gone; the command failed before writing");
    }

    [Test]
    public void AnOutputFileThatIsAFolderIsRefused()
    {
        using var sandbox = new Sandbox();
        string folder = sandbox.PathOf("grads");
        Directory.CreateDirectory(folder);

        var result = Cli.Run(sandbox, "loss", "--checkpoint", Sandbox.TinyCheckpoint, "--batch", TestData.FixturePath("tiny_bert_batch.safetensors"), "--grads", folder);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, $"--grads '{folder}' is not writable: it is a folder, not a file.");
    }
}

using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// A checkpoint, vocabulary and options that disagree: a vocabulary larger than the model's embedding table
/// (vocab_size in config.json) is refused at start by every command that pairs one with a model, naming both files and
/// both sizes; <c>train --resume</c> refuses the options it would take from the checkpoint instead.
/// </summary>
public class MismatchTests
{
    /// <summary>Appends five tokens to <paramref name="vocab"/>: 40 → 45, more than the tiny model's vocab_size 40.</summary>
    private static void Grow(string vocab) => File.AppendAllText(vocab, "extra1\nextra2\nextra3\nextra4\nextra5\n");

    private static void AssertRefusedForSize(CliResult result, string vocab, string modelDirectory)
    {
        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, $"The vocabulary '{vocab}' has 45 tokens, but the model's embedding table has 40 " +
            $"(vocab_size in '{Path.Combine(modelDirectory, "config.json")}')");
        TestContext.Out.WriteLine(Cli.FirstErrorLine(result));
    }

    [TestCase("eval", "--checkpoint", "{big}", "--corpus", "{corpus}", "--max-seq", "16", "--batch", "2")]
    [TestCase("train", "--init", "{big}", "--corpus", "{corpus}", "--steps", "1", "--max-seq", "16", "--batch", "2", "--output", "{run}")]
    [TestCase("finetune", "ner", "--data", "{ner}", "--init", "{big}", "--epochs", "1", "--max-seq", "16", "--output", "{run}")]
    [TestCase("finetune", "classify", "--task", "hoc", "--init", "{big}", "--epochs", "1", "--max-seq", "16", "--output", "{run}")]
    [TestCase("compare", "--data", "{ner}", "--pretrained", "{big}", "--seeds", "1", "--epochs", "1", "--max-seq", "16", "--doc", "doc.md", "--image", "plot.png")]
    [TestCase("inspect", "attention", "--checkpoint", "{big}", "--text", "the gene", "--output", "{run}")]
    [TestCase("loss", "--checkpoint", "{big}", "--batch", "{batch}", "--grads", "{run}.safetensors")]
    public void AVocabularyLargerThanTheCheckpointsIsRefusedAtStart(params string[] template)
    {
        using var sandbox = new Sandbox();
        string big = sandbox.CopyTinyCheckpoint("big");
        Grow(Path.Combine(big, "vocab.txt"));
        var substitutions = new Dictionary<string, string>
        {
            ["{big}"] = big,
            ["{corpus}"] = sandbox.WriteTinyCorpus(),
            ["{ner}"] = sandbox.WriteTinyNerData(),
            ["{batch}"] = TestData.FixturePath("tiny_bert_batch.safetensors"),
            ["{run}"] = sandbox.PathOf("run"),
        };

        var result = Cli.Run(sandbox, [.. template.Select(a => substitutions.GetValueOrDefault(a, a))]);

        AssertRefusedForSize(result, Path.Combine(big, "vocab.txt"), big);
        Assert.That(Directory.Exists(sandbox.PathOf("run")), Is.False, "nothing written");
        Assert.That(result.Output, Does.Not.Contain("NER:").And.Not.Contain("Baseline"), "no work was done");
    }

    [Test]
    public void FinetuneWithAVocabularyLargerThanTheInitCheckpointsIsRefused()
    {
        using var sandbox = new Sandbox();
        string vocab = sandbox.Write("big-vocab.txt", File.ReadAllText(Sandbox.TinyVocabulary));
        Grow(vocab);

        var result = Cli.Run(sandbox, "finetune", "ner", "--data", sandbox.WriteTinyNerData(), "--init", Sandbox.TinyCheckpoint, "--vocab", vocab,
            "--epochs", "1", "--max-seq", "16", "--output", sandbox.PathOf("run"));

        AssertRefusedForSize(result, vocab, Sandbox.TinyCheckpoint);
    }

    [Test]
    public void PredictWithAVocabularyLargerThanTheModelsIsRefused()
    {
        using var sandbox = new Sandbox();
        string output = sandbox.PathOf("finetuned");
        var finetune = Cli.Run(sandbox, "finetune", "ner", "--data", sandbox.WriteTinyNerData(), "--init", Sandbox.TinyCheckpoint, "--epochs", "1",
            "--batch", "2", "--max-seq", "16", "--threads", "1", "--output", output);
        Assert.That(finetune.ExitCode, Is.EqualTo(CommandRunner.Success), finetune.ToString());
        string checkpoint = Path.Combine(output, "checkpoint");
        Grow(Path.Combine(checkpoint, "vocab.txt"));

        var result = Cli.Run(sandbox, "predict", "ner", "--checkpoint", checkpoint, "--text", "the gene binds dna", "--max-seq", "16");

        AssertRefusedForSize(result, Path.Combine(checkpoint, "vocab.txt"), checkpoint);
    }

    [Test]
    public void ResumeWithAVocabularyLargerThanTheCheckpointsIsRefused()
    {
        using var sandbox = new Sandbox();
        string run = TinyRun(sandbox);
        string checkpoint = RunCheckpoints.PathFor(run, 2);
        Grow(Path.Combine(checkpoint, "vocab.txt"));

        var result = Cli.Run(sandbox, "train", "--resume", "--output", run, "--threads", "1");

        AssertRefusedForSize(result, Path.Combine(checkpoint, "vocab.txt"), checkpoint);
    }

    [Test]
    public void ResumeRefusesTheOptionsItTakesFromTheCheckpoint()
    {
        using var sandbox = new Sandbox();
        string run = TinyRun(sandbox);
        string[] before = sandbox.Entries();

        var result = Cli.Run(sandbox, "train", "--resume", "--output", run, "--steps", "5", "--lr", "0.1", "--on-non-finite", "rollback", "--threads", "1", "--device", "cpu");

        Cli.AssertCleanFailure(result, CommandRunner.UsageError,
            "--resume continues the run with the settings saved in its checkpoint (trainer_state.json), so it would ignore --lr, --steps, --on-non-finite. " +
            "Leave them out, or start a new run in another --output.");
        Assert.That(sandbox.Entries(), Is.EqualTo(before), "nothing written");
        TestContext.Out.WriteLine(Cli.FirstErrorLine(result));
    }

    [Test]
    public void ResumeTakesDeviceAndThreads()
    {
        using var sandbox = new Sandbox();
        string run = TinyRun(sandbox);

        var result = Cli.Run(sandbox, "train", "--resume", "--output", run, "--threads", "1", "--device", "cpu");

        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
    }

    [Test]
    public void ALossBatchWithATokenIdBeyondTheVocabularyIsRefused()
    {
        using var sandbox = new Sandbox();
        var writer = new MiniBioBert.Model.Checkpoints.SafeTensorsWriter();
        long[] ids = [2, 10, 57, 3];
        writer.AddInt64("input_ids", ids, 1, 4);
        writer.AddInt64("token_type_ids", new long[4], 1, 4);
        writer.AddInt64("attention_mask", new long[] { 1, 1, 1, 1 }, 1, 4);
        writer.AddInt64("mlm_labels", new long[] { -100, -100, 5, -100 }, 1, 4);
        writer.AddInt64("nsp_labels", new long[1], 1);
        string batch = sandbox.PathOf("batch.safetensors");
        writer.Write(batch);

        var result = Cli.Run(sandbox, "loss", "--checkpoint", Sandbox.TinyCheckpoint, "--batch", batch, "--grads", sandbox.PathOf("grads.safetensors"));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError,
            $"{batch}: input_ids[2] is 57, outside [0, 40) set by the model's vocab_size 40 (in '{Path.Combine(Sandbox.TinyCheckpoint, "config.json")}').");
        Assert.That(File.Exists(sandbox.PathOf("grads.safetensors")), Is.False);
    }

    /// <summary>A finished 2-step tiny run with checkpoint-1 and checkpoint-2.</summary>
    private static string TinyRun(Sandbox sandbox)
    {
        string run = sandbox.PathOf("run");
        var result = Cli.Run(sandbox, [.. Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 2), "--checkpoint-every", "1", "--keep", "2"]);
        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
        return run;
    }
}

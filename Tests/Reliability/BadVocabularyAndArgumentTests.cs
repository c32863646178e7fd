using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Reliability;

/// <summary>Broken vocabulary files and out-of-range command-line values: one clear line, a non-zero exit code, nothing written.</summary>
public class BadVocabularyAndArgumentTests
{
    private static readonly string[] GoodTokens = File.ReadAllLines(Sandbox.TinyVocabulary);

    private static IEnumerable<TestCaseData> Vocabularies()
    {
        yield return Vocabulary("duplicate token", [.. GoodTokens, "cell"], "line 13", "line 41", "'cell' twice");
        foreach (string special in new[] { "[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]" })
        {
            yield return Vocabulary($"no {special}", [.. GoodTokens.Where(t => t != special)], special);
        }
        yield return Vocabulary("empty line", [.. GoodTokens[..10], "", .. GoodTokens[10..]], "empty token", "line 11");
        yield return Vocabulary("empty file", [], "is empty");
    }

    [TestCaseSource(nameof(Vocabularies))]
    public void InspectTokensRefusesIt(string[] lines, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string vocab = sandbox.Write("bad-vocab.txt", string.Concat(lines.Select(l => l + "\n")));

        var result = Cli.Run(sandbox, "inspect", "tokens", "--text", "the cell binds dna", "--vocab", vocab);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, ["bad-vocab.txt", .. mentions]);
    }

    /// <summary>The same files through <c>train --vocab</c>.</summary>
    private static IEnumerable<TestCaseData> TrainVocabularies() => Vocabularies();

    [TestCaseSource(nameof(TrainVocabularies))]
    public void TrainRefusesItBeforeCreatingTheRunDirectory(string[] lines, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string vocab = sandbox.Write("bad-vocab.txt", string.Concat(lines.Select(l => l + "\n")));
        string run = sandbox.PathOf("run");
        string[] args = Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 1);
        args[Array.IndexOf(args, "--vocab") + 1] = vocab;

        var result = Cli.Run(sandbox, args);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, ["bad-vocab.txt", .. mentions]);
        Assert.That(Directory.Exists(run), Is.False);
    }

    /// <summary>Option, bad value, words the message must contain.</summary>
    private static IEnumerable<TestCaseData> Arguments()
    {
        yield return Argument("--batch", "-4", "--batch", "positive", "-4");
        yield return Argument("--lr", "0", "--lr", "positive");
        yield return Argument("--lr", "NaN", "--lr", "positive");
        yield return Argument("--device", "tpu", "--device", "tpu", "cpu");
        yield return Argument("--time-budget", "ten minutes", "ten minutes", "duration");
        yield return Argument("--time-budget", "0s", "positive");
        yield return Argument("--steps", "0", "--steps", "positive");
        yield return Argument("--steps", "many", "many", "--steps");
        yield return Argument("--max-seq", "4", "--max-seq", "between 5");
        yield return Argument("--heads", "3", "hidden_size", "num_attention_heads");
        yield return Argument("--threads", "0", "--threads", "positive");
        yield return Argument("--warmup", "1.5", "--warmup");
        yield return Argument("--keep", "0", "--keep", "positive");
        yield return Argument("--hidden", "100000000", "parameters");
        yield return Argument("--on-non-finite", "bogus", "--on-non-finite", "skip or rollback", "bogus");
        yield return Argument("--position-init", "random", "--position-init", "random", "sinusoidal");
        yield return Argument("--attention-init", "global", "--attention-init", "global", "local");
        yield return Argument("--heads", "16", "--attention-init", "even head size", "1");
    }

    [TestCaseSource(nameof(Arguments))]
    public void TrainRefusesAnOutOfRangeValueAsAUsageError(string option, string value, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");
        var args = Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 1).ToList();
        int given = args.IndexOf(option);
        if (given >= 0)
        {
            args[given + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var result = Cli.Run(sandbox, [.. args]);

        Cli.AssertCleanFailure(result, CommandRunner.UsageError, mentions);
        Assert.That(Directory.Exists(run), Is.False, "nothing is written");
    }

    [Test]
    public void TokenizerTrainRefusesATinyVocabularySize()
    {
        using var sandbox = new Sandbox();
        string vocab = sandbox.PathOf("vocab.txt");

        var result = Cli.Run(sandbox, "tokenizer", "train", "--corpus", sandbox.WriteTinyCorpus(), "--vocab-size", "3", "--output", vocab);

        Cli.AssertCleanFailure(result, CommandRunner.UsageError, "--vocab-size", "at least 10");
        Assert.That(File.Exists(vocab), Is.False);
    }

    [Test]
    public void TrainOnAnOwnCorpusWithoutSharedDataTrainsItsVocabulary()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");
        var args = Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 1).ToList();
        args.RemoveRange(args.IndexOf("--vocab"), 2);

        var result = Cli.Run(sandbox, [.. args, "--vocab-size", "60"]);

        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
    }

    [Test]
    public void UnknownOptionIsAUsageError()
    {
        using var sandbox = new Sandbox();

        var result = Cli.Run(sandbox, "train", "--bacth", "8");

        Cli.AssertCleanFailure(result, CommandRunner.UsageError, "--bacth");
    }

    [Test]
    public void ResumeWithoutCheckpointIsARuntimeError()
    {
        using var sandbox = new Sandbox();
        Directory.CreateDirectory(sandbox.PathOf("run"));

        var result = Cli.Run(sandbox, "train", "--resume", "--output", sandbox.PathOf("run"));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "run", "no complete checkpoint");
    }

    private static TestCaseData Vocabulary(string name, string[] lines, params string[] mentions) =>
        new TestCaseData(lines, mentions).SetName($"{{m}}({name})");

    private static TestCaseData Argument(string option, string value, params string[] mentions) =>
        new TestCaseData(option, value, mentions).SetName($"{{m}}({option} {value})");
}

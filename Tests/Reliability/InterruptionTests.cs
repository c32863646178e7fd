using System.Text.RegularExpressions;
using MiniBioBert.Model;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// Interruptions of a real <c>train</c> process on a tiny model: SIGKILL while checkpoints are being written leaves
/// the latest complete checkpoint loadable and no half-written one that counts; SIGINT saves and exits 0; and
/// <c>--resume</c> after a kill repeats the losses of an uninterrupted run step for step.
/// </summary>
[NonParallelizable]
public partial class InterruptionTests
{
    /// <summary>
    /// How long to wait for a child process to reach a state before calling it stuck. Waits end as soon as the state
    /// is reached (a second or two on an idle machine), so the limit is generous: a loaded 2-core machine must not fail.
    /// </summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Seeds of the kill delays (each delay 0–400 ms after the first checkpoint appears).</summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void KillDuringCheckpointWritesLeavesTheLatestCompleteCheckpointLoadable(int seed)
    {
        using var sandbox = new Sandbox();
        string run = KillWhileCheckpointing(sandbox, new Random(seed).Next(400));

        // What --resume picks: the newest checkpoint-<step> with a trainer state; .tmp leftovers never count.
        string latest = RunCheckpoints.Latest(run);
        Assert.That(Path.GetFileName(latest), Does.Match(@"^checkpoint-\d+$"));
        AssertWhole(latest);
    }

    [Test]
    public void KillsNeverLeaveAHalfDeletedCheckpoint()
    {
        for (int seed = 10; seed < 30; seed++)
        {
            using var sandbox = new Sandbox();
            string run = KillWhileCheckpointing(sandbox, new Random(seed).Next(400));
            foreach (string checkpoint in Checkpoints(run))
            {
                AssertWhole(checkpoint);
            }
        }
    }

    /// <summary>
    /// A real SIGKILL while checkpoints are written and pruned, then <c>train --resume</c>: the resumed run removes
    /// whatever the kill left (<c>.tmp</c>, <c>.stale</c>, <c>.tmp-XXXXXXXX</c>, …), finishes, and every checkpoint loads.
    /// </summary>
    [TestCase(40)]
    [TestCase(41)]
    [TestCase(42)]
    public void TheRunAfterAKillDuringASaveLeavesNoLeftovers(int seed)
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");
        var args = Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 60).Concat(["--checkpoint-every", "1", "--keep", "2"]);
        using (var child = ChildProcess.Start(sandbox, args))
        {
            Assert.That(child.WaitUntil(() => Checkpoints(run).Count > 0, ChildTimeout), Is.True, child.Output);
            Thread.Sleep(new Random(seed).Next(200));
            Assert.That(child.HasExited, Is.False, child.Output);
            child.KillHard();
        }
        TestContext.Out.WriteLine($"left by the kill: {string.Join(", ", LeftoverTests.Leftovers(run))}");

        var resumed = Cli.Run(sandbox, "train", "--resume", "--output", run, "--threads", "1");

        Assert.That(resumed.ExitCode, Is.EqualTo(CommandRunner.Success), resumed.ToString());
        Assert.That(LeftoverTests.Leftovers(run), Is.Empty);
        Assert.That(Checkpoints(run).Select(Step), Is.EqualTo(new long[] { 59, 60 }));
        foreach (string checkpoint in Checkpoints(run))
        {
            AssertWhole(checkpoint);
        }
    }

    /// <summary>Starts a run that saves every step, waits for its first checkpoint, then SIGKILLs it after <paramref name="delay"/> ms.</summary>
    private static string KillWhileCheckpointing(Sandbox sandbox, int delay)
    {
        string run = sandbox.PathOf("run");
        var args = Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 100_000).Concat(["--checkpoint-every", "1", "--keep", "2"]);
        using var child = ChildProcess.Start(sandbox, args);
        Assert.That(child.WaitUntil(() => Checkpoints(run).Count > 0, ChildTimeout), Is.True, child.Output);
        Thread.Sleep(delay);
        Assert.That(child.HasExited, Is.False, child.Output);
        child.KillHard();
        TestContext.Out.WriteLine($"killed {delay} ms after the first checkpoint; run directory: " +
            string.Join(", ", Directory.EnumerateFileSystemEntries(run).Select(Path.GetFileName).Order()));
        return run;
    }

    /// <summary>The checkpoint loads: weights, trainer state and optimizer state, with the step its name says.</summary>
    private static void AssertWhole(string checkpoint)
    {
        var model = BertForPreTraining.Load(checkpoint);
        var state = TrainerState.Load(Path.Combine(checkpoint, TrainerState.FileName));
        AdamWStateFile.Load(Path.Combine(checkpoint, RunCheckpoints.OptimizerFileName));
        Assert.That(model.Config.HiddenSize, Is.EqualTo(16));
        Assert.That(Path.GetFileName(checkpoint), Is.EqualTo($"checkpoint-{state.Step}"));
    }

    [Test]
    public void CtrlCSavesACheckpointAndExitsZero()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");
        var args = Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 100_000).Concat(["--checkpoint-every", "100000"]);

        using var child = ChildProcess.Start(sandbox, args);
        Assert.That(child.WaitUntil(() => File.Exists(Path.Combine(run, "metrics.jsonl")) && Sandbox.TrainLosses(run).Count >= 3, ChildTimeout),
            Is.True, child.Output);
        child.Interrupt();
        Assert.That(child.WaitForExit(ChildTimeout), Is.True, $"the process ends after Ctrl+C; its output so far:\n{child.Output}");

        TestContext.Out.WriteLine(child.Output);
        Assert.That(child.ExitCode, Is.EqualTo(CommandRunner.Success), child.Output);
        long lastStep = Sandbox.TrainLosses(run).Keys.Max();
        Assert.That(child.Output, Does.Contain($"Stopped: Interrupted after {lastStep} steps"));
        Assert.That(Checkpoints(run).Select(Path.GetFileName), Is.EqualTo(new[] { $"checkpoint-{lastStep}" }));
        BertForPreTraining.Load(RunCheckpoints.Latest(run));
    }

    [Test]
    public void ResumeAfterAKillRepeatsTheUninterruptedLosses()
    {
        const int Steps = 60;
        using var sandbox = new Sandbox();
        string corpus = sandbox.WriteTinyCorpus();
        string reference = sandbox.PathOf("uninterrupted");
        string interrupted = sandbox.PathOf("interrupted");
        string[] extra = ["--checkpoint-every", "1", "--keep", "1"];

        var whole = Cli.Run(sandbox, [.. Sandbox.TinyTrainArguments(corpus, reference, Steps), .. extra]);
        Assert.That(whole.ExitCode, Is.EqualTo(CommandRunner.Success), whole.ToString());

        long killedAt;
        using (var child = ChildProcess.Start(sandbox, [.. Sandbox.TinyTrainArguments(corpus, interrupted, Steps), .. extra]))
        {
            Assert.That(child.WaitUntil(() => Checkpoints(interrupted) is [.., string newest] && Step(newest) >= 5, ChildTimeout),
                Is.True, child.Output);
            child.KillHard();
            killedAt = Step(RunCheckpoints.Latest(interrupted));
        }
        Assert.That(killedAt, Is.LessThan(Steps), "killed before the end");

        var resumed = Cli.Run(sandbox, "train", "--resume", "--output", interrupted, "--threads", "1");
        Assert.That(resumed.ExitCode, Is.EqualTo(CommandRunner.Success), resumed.ToString());

        var expected = Sandbox.TrainLosses(reference);
        var actual = Sandbox.TrainLosses(interrupted);
        TestContext.Out.WriteLine($"killed after checkpoint-{killedAt}; resumed to step {actual.Keys.Max()}");
        Assert.That(actual.Keys, Is.EqualTo(Enumerable.Range(1, Steps).Select(s => (long)s)), "one train record per step, none lost or repeated");
        // Same program, same thread count, same data order and dropout seeds: the float operations are identical, so
        // the losses must be equal to the bit.
        Assert.That(actual.Values, Is.EqualTo(expected.Values));
    }

    /// <summary>
    /// The directories that count as checkpoints, in step order; none while the run directory is missing. The child's
    /// start-up check of the output path may create the run directory and remove it again while this polls, so the
    /// directory can vanish between a check and the listing: that counts as missing too.
    /// </summary>
    private static List<string> Checkpoints(string run)
    {
        try
        {
            return [.. Directory.EnumerateDirectories(run)
                .Where(d => CheckpointName().IsMatch(Path.GetFileName(d)) && File.Exists(Path.Combine(d, TrainerState.FileName)))
                .OrderBy(Step)];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private static long Step(string checkpoint) => long.Parse(Path.GetFileName(checkpoint)["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^checkpoint-\d+$")]
    private static partial Regex CheckpointName();
}

using System.Text.RegularExpressions;
using MiniBioBert.Model;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// What a save killed with SIGKILL leaves behind — <c>checkpoint-&lt;step&gt;.tmp</c>, <c>.old</c> and <c>.stale</c>
/// folders of <see cref="RunCheckpoints"/>, <c>dir.tmp-XXXXXXXX</c> / <c>dir.old-XXXXXXXX</c> folders of an atomic
/// directory write, <c>file.tmp-XXXXXXXX</c> files of an atomic file write — is removed by the next run in that
/// directory, and complete checkpoints are never touched. The leftovers are fabricated here; InterruptionTests makes
/// them with real kills.
/// </summary>
public partial class LeftoverTests
{
    /// <summary>Names that only an interrupted write leaves: <c>x.tmp</c>, <c>x.old</c>, <c>x.stale</c>, <c>x.tmp-XXXXXXXX</c>, <c>x.old-XXXXXXXX</c>.</summary>
    internal static string[] Leftovers(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Where(name => LeftoverName().IsMatch(name!)).Order()!];

    [GeneratedRegex(@"\.(tmp|old|stale)(-[0-9a-f]{8})?$")]
    private static partial Regex LeftoverName();

    [Test]
    public void TrainResumeRemovesTheLeftoversOfAKilledSaveAndKeepsTheCheckpoints()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");
        var first = Cli.Run(sandbox, [.. Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 2), "--checkpoint-every", "1", "--keep", "2"]);
        Assert.That(first.ExitCode, Is.EqualTo(CommandRunner.Success), first.ToString());
        string checkpoint1 = RunCheckpoints.PathFor(run, 1), checkpoint2 = RunCheckpoints.PathFor(run, 2);
        byte[] weights2 = File.ReadAllBytes(Path.Combine(checkpoint2, "model.safetensors"));

        CopyDirectory(checkpoint1, run + "/checkpoint-0.stale");       // killed while pruning
        CopyDirectory(checkpoint2, run + "/checkpoint-2.old");         // killed after the replacement was moved in
        Directory.CreateDirectory(run + "/checkpoint-3.tmp");          // killed while writing checkpoint-3
        File.WriteAllText(run + "/checkpoint-3.tmp/config.json", "{");
        Directory.CreateDirectory(run + "/checkpoint-3.tmp.tmp-0123abcd"); // ... inside the model's atomic directory write
        File.WriteAllText(run + "/metrics.jsonl.tmp-89abcdef", "half a line");
        File.WriteAllText(run + "/loss.png.tmp-deadbeef", "");
        Assert.That(Leftovers(run), Has.Length.EqualTo(6));

        var resumed = Cli.Run(sandbox, "train", "--resume", "--output", run, "--threads", "1");

        Assert.That(resumed.ExitCode, Is.EqualTo(CommandRunner.Success), resumed.ToString());
        Assert.That(resumed.All, Does.Contain($"Removed what an interrupted save left in {run}: "));
        Assert.That(Leftovers(run), Is.Empty);
        AssertWhole(checkpoint1);
        AssertWhole(checkpoint2);
        Assert.That(File.ReadAllBytes(Path.Combine(checkpoint2, "model.safetensors")), Is.EqualTo(weights2), "a complete checkpoint is not touched");
        TestContext.Out.WriteLine(resumed.Output);
    }

    [Test]
    public void AnOldCopyThatIsTheOnlyCompleteOneIsRenamedBackNotDeleted()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");
        var first = Cli.Run(sandbox, [.. Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 2), "--checkpoint-every", "1", "--keep", "2"]);
        Assert.That(first.ExitCode, Is.EqualTo(CommandRunner.Success), first.ToString());
        // Killed between the two renames of a replacement: checkpoint-2 moved aside, the new copy not yet moved in.
        Directory.Move(RunCheckpoints.PathFor(run, 2), run + "/checkpoint-2.old");
        CopyDirectory(run + "/checkpoint-2.old", run + "/checkpoint-2.tmp");

        var removed = RunCheckpoints.CleanLeftovers(run);

        Assert.That(removed, Is.EquivalentTo(new[] { "checkpoint-2.old → checkpoint-2", "checkpoint-2.tmp" }));
        Assert.That(RunCheckpoints.Latest(run), Is.EqualTo(RunCheckpoints.PathFor(run, 2)));
        AssertWhole(RunCheckpoints.PathFor(run, 2));
        Assert.That(Leftovers(run), Is.Empty);
    }

    [Test]
    public void FineTuningRemovesTheLeftoversInItsOutputFolder()
    {
        using var sandbox = new Sandbox();
        string output = sandbox.PathOf("out");
        Directory.CreateDirectory(output + "/checkpoint.tmp-0123abcd");
        File.WriteAllText(output + "/checkpoint.tmp-0123abcd/config.json", "{");
        CopyDirectory(Sandbox.TinyCheckpoint, output + "/checkpoint.old-89abcdef");
        CopyDirectory(Sandbox.TinyCheckpoint, output + "/checkpoint");
        File.WriteAllText(output + "/scores.txt.tmp-deadbeef", "");

        var result = Cli.Run(sandbox, "finetune", "ner", "--data", sandbox.WriteTinyNerData(), "--init", Sandbox.TinyCheckpoint, "--epochs", "1",
            "--batch", "2", "--max-seq", "16", "--threads", "1", "--output", output);

        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
        Assert.That(result.All, Does.Contain($"Removed what an interrupted save left in {output}: "));
        Assert.That(Leftovers(output), Is.Empty);
        Assert.That(File.Exists(Path.Combine(output, "checkpoint", "config.json")), Is.True);
    }

    /// <summary>The checkpoint loads: weights, trainer state and optimizer state, with the step its name says.</summary>
    internal static void AssertWhole(string checkpoint)
    {
        BertForPreTraining.Load(checkpoint);
        var state = TrainerState.Load(Path.Combine(checkpoint, TrainerState.FileName));
        AdamWStateFile.Load(Path.Combine(checkpoint, RunCheckpoints.OptimizerFileName));
        Assert.That(Path.GetFileName(checkpoint), Is.EqualTo($"checkpoint-{state.Step}"));
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}

using System.Diagnostics;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Tests.Reliability;
using MiniBioBert.Tests.Training.Pretraining;
using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Tests.Distributed;

/// <summary>
/// <c>train</c> under <c>mpirun</c> on this machine (loopback, 2 ranks): the same run as one process with the
/// global batch, a rank killed mid-run, and ranks given different options. Ignored where Open MPI is missing.
/// </summary>
[NonParallelizable]
public class MpiTrainingTests
{
    /// <summary>
    /// Per step, the gradient's reduction order is the only difference between 2 ranks × 4 rows and 1 process × 8
    /// rows (the loss parts make the sum exact in real arithmetic: <see cref="BatchShareTests"/>), normwise within
    /// (2k + 240 + 2)·u, k = 8 · 32 positions (derived there). AdamW's update lr · m̂ / (√v̂ + ε) carries a relative
    /// change of the gradient into the update at most one for one, and the 3 steps add theirs: 3 · (2·256 + 242)·u
    /// ≈ 1.35e-4 for the losses (relative) and for the parameters' change (normwise, relative to the change of the
    /// one-process run). Measured: ≈ 1e-8 on the losses, ≈ 3e-6 on the parameters.
    /// </summary>
    private const double Tolerance = 3 * (2 * 256 + 240 + 2) * 5.96e-8;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Test]
    public void TwoRanksOfFourRowsTrainAsOneProcessOfEight()
    {
        Mpirun.RequireOrIgnore();
        using var sandbox = new Sandbox();
        using var run = new TinyPretrainingRun();
        string one = sandbox.PathOf("one"), two = sandbox.PathOf("two");

        // Dropout 0: a rank draws the masks of its own rows from its own seed, not those of the same rows in the
        // one-process run (that would take a row offset in every dropout kernel), so only without dropout are the
        // two runs the same function of the data.
        // --on-non-finite rollback makes both runs save checkpoint-0, their starting weights.
        string[] Arguments(string output, int batch) => [.. TinyModel(run), "--steps", "3", "--eval-every", "3", "--checkpoint-every", "3",
            "--dropout", "0", "--on-non-finite", "rollback", "--batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", output];
        RunToTheEnd(ChildProcess.Start(sandbox, Arguments(one, batch: 8)));
        var parallel = RunToTheEnd(Mpirun.Start(sandbox, 2, Arguments(two, batch: 4)));
        Assert.That(parallel, Does.Contain("2 ranks × 4"));

        // The same losses: 3 training steps and the evaluation at step 3.
        var expected = MetricsLog.Read(MetricsLog.PathFor(one)).Records;
        var actual = MetricsLog.Read(MetricsLog.PathFor(two)).Records;
        Assert.That(actual.Select(r => (r.Step, r.Split)), Is.EqualTo(expected.Select(r => (r.Step, r.Split))));
        foreach (var (a, e) in actual.Zip(expected))
        {
            Assert.That(a.Loss!.Value, Is.EqualTo(e.Loss!.Value).Within(Tolerance * e.Loss.Value), $"{e.Split} loss at step {e.Step}");
        }

        // The same parameters: the start exactly (rank 0's, broadcast), after 3 steps within the tolerance.
        using var start = SafeTensorsFile.Open(Path.Combine(one, "checkpoint-0", "model.safetensors"));
        using var startTwo = SafeTensorsFile.Open(Path.Combine(two, "checkpoint-0", "model.safetensors"));
        using var end = SafeTensorsFile.Open(Path.Combine(one, "checkpoint-3", "model.safetensors"));
        using var endTwo = SafeTensorsFile.Open(Path.Combine(two, "checkpoint-3", "model.safetensors"));
        double differenceSquared = 0, changeSquared = 0;
        foreach (string name in start.Names)
        {
            Assert.That(startTwo.ReadFloats(name), Is.EqualTo(start.ReadFloats(name)), name);
            float[] first = start.ReadFloats(name), last = end.ReadFloats(name), lastTwo = endTwo.ReadFloats(name);
            for (int i = 0; i < first.Length; i++)
            {
                differenceSquared += Math.Pow(lastTwo[i] - last[i], 2);
                changeSquared += Math.Pow(last[i] - first[i], 2);
            }
        }
        double relative = Math.Sqrt(differenceSquared / changeSquared);
        TestContext.Out.WriteLine($"parameters after 3 steps: 2 ranks against 1 process, normwise relative to the change: {relative:E2}");
        Assert.That(relative, Is.LessThanOrEqualTo(Tolerance));
    }

    [Test]
    public void ARankKilledEndsTheJobNamingItAndResumeContinues()
    {
        Mpirun.RequireOrIgnore();
        using var sandbox = new Sandbox();
        using var run = new TinyPretrainingRun();
        string output = sandbox.PathOf("run");
        using var job = Mpirun.Start(sandbox, 2, [.. TinyModel(run), "--steps", "120", "--eval-every", "20", "--checkpoint-every", "20",
            "--batch", "4", "--output", output]);
        Assert.That(job.WaitUntil(() => Directory.Exists(Path.Combine(output, "checkpoint-20")), RunTimeout), Is.True, job.Output);
        int rankOne = Mpirun.ProcessOfRank(1, output) ?? throw new AssertionException($"rank 1 not found\n{job.Output}");

        using (var victim = Process.GetProcessById(rankOne))
        {
            victim.Kill(); // SIGKILL
        }
        var clock = Stopwatch.StartNew();
        Assert.That(job.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the job still runs 30 s after rank 1 was killed\n" + job.Output);
        TestContext.Out.WriteLine($"the job ended {clock.Elapsed.TotalSeconds:F1} s after rank 1 was killed:\n{job.Output}");
        Assert.That(job.ExitCode, Is.Not.EqualTo(0));
        Assert.That(job.Output, Does.Contain("rank 1"));

        // --resume continues from the last checkpoint, here with one process (the global batch of 8 stays).
        string resumedOutput = RunToTheEnd(ChildProcess.Start(sandbox, ["train", "--resume", "--output", output]));
        Assert.That(resumedOutput, Does.Contain("Resuming from"));
        Assert.That(resumedOutput, Does.Contain("Completed after 120 steps"));
    }

    [Test]
    public void RanksStartedWithDifferentOptionsAreRefused()
    {
        Mpirun.RequireOrIgnore();
        using var sandbox = new Sandbox();
        using var run = new TinyPretrainingRun();
        string[] Arguments(string batch) => [.. TinyModel(run), "--steps", "3", "--batch", batch, "--output", sandbox.PathOf("run")];
        using var job = Mpirun.StartEach(sandbox, [(1, Arguments("4")), (1, Arguments("2"))]);
        Assert.That(job.WaitForExit(RunTimeout), Is.True, job.Output);
        Assert.That(job.ExitCode, Is.Not.EqualTo(0), job.Output);
        Assert.That(job.Output, Does.Contain("error: rank 1 was started with another --batch than rank 0"), job.Output);
        Assert.That(Directory.Exists(sandbox.PathOf("run")), Is.False, "nothing was written");
    }

    /// <summary>The tiny corpus and model of <see cref="TinyPretrainingRun"/> as <c>train</c> options.</summary>
    private static string[] TinyModel(TinyPretrainingRun run) => ["train", "--corpus", run.CorpusPath, "--vocab", run.VocabPath,
        "--layers", "2", "--hidden", "32", "--heads", "2", "--intermediate", "64", "--max-seq", "32", "--lr", "2e-2", "--warmup", "0.1",
        "--eval-batches", "2", "--seed", "7", "--threads", "1"];

    /// <summary>Waits for <paramref name="process"/> to end well and returns what it printed.</summary>
    private static string RunToTheEnd(ChildProcess process)
    {
        using (process)
        {
            Assert.That(process.WaitForExit(RunTimeout), Is.True, "still running after 3 minutes\n" + process.Output);
            Assert.That(process.ExitCode, Is.EqualTo(0), process.Output);
            return process.Output;
        }
    }
}

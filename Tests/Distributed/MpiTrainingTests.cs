using System.Diagnostics;
using MiniBioBert.Benchmarks.Measurements;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Tests.Engine.Gpu;
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
    private const int Steps = 3;

    private static readonly int Stages = FloatBounds.BertStages(layers: 2);

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// 2 ranks × b rows on <paramref name="device"/> against 1 process × 2b rows on the CPU, from the same weights
    /// and data. The loss parts make the sum of the ranks' gradients the global gradient in real arithmetic
    /// (<see cref="BatchShareTests"/>); in float32 the sums over the k = 2b · 32 positions of the global batch are
    /// added in another order (two partial sums, then MPI's), and ilgpu-cpu also sums every product in its own
    /// order. So the bounds are <see cref="FloatBounds"/>' for two summation orders, with reductions of length k
    /// (longer than the model's own, ≤ 64): the losses of each step, the weights after 3 steps (normwise, the key
    /// biases, whose gradient is rounding noise, within 2 · 3 · lr). The held-out evaluation of the step-3 weights
    /// takes the step-3 bound, with the largest training gradient norm standing in for its own.
    /// </summary>
    [TestCase("cpu", 4)]
    [TestCase("ilgpu-cpu", 2)]
    public void TwoRanksTrainAsOneProcessWithTheirGlobalBatch(string device, int rowsPerRank)
    {
        Mpirun.RequireOrIgnore();
        using var sandbox = new Sandbox();
        using var run = new TinyPretrainingRun();
        string one = sandbox.PathOf("one"), two = sandbox.PathOf("two");

        // Dropout 0: a rank draws the masks of its own rows from its own seed, not those of the same rows in the
        // one-process run (that would take a row offset in every dropout kernel), so only without dropout are the
        // two runs the same function of the data. --on-non-finite rollback makes both runs save checkpoint-0.
        string[] Arguments(string output, int batch) => [.. TinyModel(run), "--steps", $"{Steps}", "--eval-every", $"{Steps}",
            "--checkpoint-every", $"{Steps}", "--dropout", "0", "--on-non-finite", "rollback", "--batch", $"{batch}", "--output", output];
        RunToTheEnd(ChildProcess.Start(sandbox, Arguments(one, 2 * rowsPerRank)));
        string parallel = RunToTheEnd(Mpirun.Start(sandbox, 2, [.. Arguments(two, rowsPerRank), "--device", device]));
        Assert.That(parallel, Does.Contain($"2 ranks × {rowsPerRank}"));

        // The same start (rank 0's weights, broadcast), and close weights after 3 steps.
        var (start, startTwo) = (Weights(one, 0), Weights(two, 0));
        var (end, endTwo) = (Weights(one, Steps), Weights(two, Steps));
        Assert.That(startTwo.Others, Is.EqualTo(start.Others));
        var expected = MetricsLog.Read(MetricsLog.PathFor(one)).Records;
        var actual = MetricsLog.Read(MetricsLog.PathFor(two)).Records;
        int length = 2 * rowsPerRank * 32;
        double learningRate = expected.Max(r => r.LearningRate ?? 0), maxWeight = end.Others.Max(w => Math.Abs((double)w));
        GpuTesting.AssertClose(endTwo.Others, end.Others, $"weights after {Steps} steps, 2 ranks on {device} against 1 process (normwise, key biases aside)",
            FloatBounds.Weights(Steps, learningRate, FloatBounds.Backward(Stages, length)));
        for (int i = 0; i < end.KeyBiases.Length; i++)
        {
            Assert.That(endTwo.KeyBiases[i], Is.EqualTo(end.KeyBiases[i]).Within(2 * Steps * learningRate), "key bias");
        }

        // The same losses: the 3 training steps, then the evaluation at step 3.
        Assert.That(actual.Select(r => (r.Step, r.Split)), Is.EqualTo(expected.Select(r => (r.Step, r.Split))));
        double maxGradientNorm = expected.Max(r => r.GradNorm ?? 0);
        foreach (var (a, e) in actual.Zip(expected))
        {
            int updates = e.Split == MetricsSplit.Train ? (int)e.Step - 1 : Steps;
            double bound = FloatBounds.Loss(updates, e.Loss!.Value, e.GradNorm ?? maxGradientNorm, Stages, length, learningRate, maxWeight, end.Others.Length);
            TestContext.Out.WriteLine($"{e.Split} loss at step {e.Step}: {e.Loss} (1 process), {a.Loss} (2 ranks on {device}), bound {bound:E1}");
            Assert.That(a.Loss!.Value, Is.EqualTo(e.Loss.Value).Within(bound), $"{e.Split} loss at step {e.Step}");
        }
    }

    [Test]
    public void ARankKilledEndsTheJobNamingItAndResumeContinues()
    {
        Mpirun.RequireOrIgnore();
        using var sandbox = new Sandbox();
        using var run = new TinyPretrainingRun();
        string output = sandbox.PathOf("run");
        using var job = StartPastTheFirstCheckpoint(sandbox, run, output, steps: 120);
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
    public void SigUsr1ToMpirunStopsEveryRankAfterTheStepAndSaves()
    {
        Mpirun.RequireOrIgnore();
        using var sandbox = new Sandbox();
        using var run = new TinyPretrainingRun();
        string output = sandbox.PathOf("run");
        using var job = StartPastTheFirstCheckpoint(sandbox, run, output, steps: 100_000);

        job.Signal("USR1"); // mpirun passes it on to every rank; rank 0's stop request stops them all
        Assert.That(job.WaitForExit(RunTimeout), Is.True, job.Output);
        Assert.That(job.ExitCode, Is.EqualTo(0), job.Output);
        var stopped = System.Text.RegularExpressions.Regex.Match(job.Output, "Stopped: Interrupted after ([0-9]+) steps");
        Assert.That(stopped.Success, Is.True, job.Output);
        Assert.That(Directory.Exists(Path.Combine(output, $"checkpoint-{stopped.Groups[1].Value}")), Is.True, "the final save");
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

    /// <summary>2 ranks × 4 rows of <paramref name="steps"/> steps, saving every 20: started, and past checkpoint-20.</summary>
    private static ChildProcess StartPastTheFirstCheckpoint(Sandbox sandbox, TinyPretrainingRun run, string output, int steps)
    {
        var job = Mpirun.Start(sandbox, 2, [.. TinyModel(run), "--steps", $"{steps}", "--eval-every", "20", "--checkpoint-every", "20",
            "--batch", "4", "--output", output]);
        if (!job.WaitUntil(() => Directory.Exists(Path.Combine(output, "checkpoint-20")), RunTimeout))
        {
            string printed = job.Output;
            job.Dispose(); // ends mpirun and its ranks
            Assert.Fail($"no checkpoint-20 within {RunTimeout}\n{printed}");
        }
        return job;
    }

    /// <summary>The weights of a run's checkpoint-<paramref name="step"/>: the key biases apart from the others (<see cref="FloatBounds.GradientIsZero"/>).</summary>
    private static (float[] Others, float[] KeyBiases) Weights(string run, int step)
    {
        using var file = SafeTensorsFile.Open(Path.Combine(run, $"checkpoint-{step}", "model.safetensors"));
        float[] Of(bool keyBias) => [.. file.Names.Where(name => FloatBounds.GradientIsZero(name) == keyBias).SelectMany(file.ReadFloats)];
        return (Of(false), Of(true));
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

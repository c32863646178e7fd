using MiniBioBert.Training.Data;
using MiniBioBert.Training.Pretraining;
using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Tests.Training.Pretraining;

public class PretrainingTrainerTests
{
    [Test]
    public void ShortRunLearnsLogsEvaluatesAndKeepsCheckpoints()
    {
        using var run = new TinyPretrainingRun();
        var options = run.Options(steps: 40);
        var log = new StringWriter();
        var trainer = run.NewTrainer(options, log);
        var losses = new List<double>();
        trainer.StepCompleted += step => losses.Add(step.MlmLoss);

        var result = trainer.Run();

        Assert.That(result.Steps, Is.EqualTo(40));
        Assert.That(result.Reason, Is.EqualTo(StopReason.Completed));
        // The MLM loss starts at ≈ ln(25) ≈ 3.2; 40 small Adam steps take it down by a few tenths, well beyond the
        // batch-to-batch noise of a 5-step mean (≈ 0.05).
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.That(last, Is.LessThan(first - 0.15), $"MLM loss went from {first:F3} to {last:F3}");
        var records = MetricsLog.Read(MetricsLog.PathFor(options.OutputDirectory)).Records;
        var evaluations = records.Where(r => r.Split == MetricsSplit.Eval).ToList();
        // Held out, the model beats a uniform guess over the 25 tokens (loss ln 25 ≈ 3.22) clearly.
        Assert.That(evaluations[1].MlmLoss!.Value, Is.LessThan(Math.Log(25) - 0.1), "held-out MLM loss");
        Assert.That(result.FinalEvaluation.MlmLoss, Is.EqualTo(evaluations[1].MlmLoss!.Value).Within(1e-12));

        // Evaluations at 20 and 40; checkpoints at 20 and 40, both kept.
        Assert.That(records.Where(r => r.Split == MetricsSplit.Eval).Select(r => r.Step), Is.EqualTo(new long[] { 20, 40 }));
        Assert.That(records.Count(r => r.Split == MetricsSplit.Train), Is.EqualTo(40));
        Assert.That(Directory.GetDirectories(options.OutputDirectory).Select(Path.GetFileName).Order(),
            Is.EqualTo(new[] { "checkpoint-20", "checkpoint-40" }));
        Assert.That(File.Exists(Path.Combine(options.OutputDirectory, CurvePlotter.LossFileName)));
    }

    [Test]
    public void ATimeBudgetIsPlannedAgainAfterTheFirstRealSteps()
    {
        using var run = new TinyPretrainingRun();
        var options = run.Options(steps: 1) with { Steps = null, TimeBudget = TimeSpan.FromSeconds(12), CheckpointEvery = 100_000 };
        var log = new StringWriter();

        // Every reading of the clock moves it 10 ms on, so the plan is the same on a fast, a slow or a busy machine:
        // the probe's step "takes" 10 ms, a real step ≈ 50 ms (five readings), so the first re-plan cuts the plan and
        // the evaluations of the first half (every 20 steps) plan again from the pace.
        var result = run.NewTrainer(options, log, new TickingClock(TimeSpan.FromMilliseconds(10))).Run();

        // Once from the probe, once after ReplanAfterSteps real steps, then from the steady pace at the evaluations
        // (every 20 steps) of the first half; the run ends by completing the plan or by the budget's hard stop,
        // never beyond it.
        string text = log.ToString();
        Assert.That(text.Split("Planning ").Length - 1, Is.GreaterThanOrEqualTo(3), text);
        Assert.That(text, Does.Contain($"since step {TimeBudgetPlanner.ReplanAfterSteps}, evaluations and saves included"));
        Assert.That(result.Steps, Is.GreaterThan(TimeBudgetPlanner.ReplanAfterSteps));
        Assert.That(result.Reason, Is.AnyOf(StopReason.Completed, StopReason.TimeBudgetSpent));
    }

    [Test]
    public void ResumedRunRepeatsAnUninterruptedOneBitForBit()
    {
        using var run = new TinyPretrainingRun();
        var straight = new List<double>();
        var straightTrainer = run.NewTrainer(run.Options(steps: 6, Path.Combine(run.Folder, "straight")), new StringWriter());
        straightTrainer.StepCompleted += step => straight.Add(step.Loss);
        straightTrainer.Run();

        // Interrupted after 3 steps (as Ctrl+C does: finish the step, save, stop), then resumed from its checkpoint.
        string interruptedDirectory = Path.Combine(run.Folder, "interrupted");
        var resumed = new List<double>();
        var first = run.NewTrainer(run.Options(steps: 6, interruptedDirectory), new StringWriter());
        first.StepCompleted += step =>
        {
            resumed.Add(step.Loss);
            if (step.Step == 3)
            {
                first.RequestStop();
            }
        };
        var firstResult = first.Run();
        Assert.That(firstResult.Reason, Is.EqualTo(StopReason.Interrupted));
        Assert.That(RunCheckpoints.Latest(interruptedDirectory), Does.EndWith("checkpoint-3"));

        var second = TinyPretrainingRun.ResumeTrainer(interruptedDirectory, new StringWriter());
        second.StepCompleted += step => resumed.Add(step.Loss);
        var secondResult = second.Run();

        Assert.That(secondResult.Steps, Is.EqualTo(6));
        // Exact equality: same batches, dropout masks, weights and AdamW moments give the same float operations.
        Assert.That(resumed, Is.EqualTo(straight));
        var steps = MetricsLog.Read(MetricsLog.PathFor(interruptedDirectory)).Records.Where(r => r.Split == MetricsSplit.Train).Select(r => r.Step);
        Assert.That(steps, Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }));
    }

    /// <summary>
    /// With <c>ShortSequenceLength</c> the first half of 8 steps train on sequences of 16 tokens in batches of 16 (the
    /// same tokens per step), then on 32 tokens in batches of 8; a run stopped in the short phase and resumed repeats
    /// the uninterrupted one bit for bit, and both differ from a run without the schedule.
    /// </summary>
    [Test]
    public void SequenceLengthScheduleTrainsShortThenFullAndResumesBitForBit()
    {
        using var run = new TinyPretrainingRun();
        PretrainingOptions Scheduled(string name) =>
            run.Options(steps: 8, Path.Combine(run.Folder, name)) with { ShortSequenceLength = 16, ShortSequenceFraction = 0.5 };

        var log = new StringWriter();
        var straight = Losses(run, Scheduled("straight"), log);
        Assert.That(log.ToString(), Does.Contain("Steps 1–4 on sequences of 16 tokens, 16 to a batch."));
        Assert.That(log.ToString(), Does.Contain("After step 4: sequences of 32 tokens from now on, 8 to a batch."));

        Assert.That(StoppedAndResumed(run, Scheduled("interrupted"), stopAfter: 2), Is.EqualTo(straight));

        var unscheduled = new List<double>();
        var plain = run.NewTrainer(run.Options(steps: 8, Path.Combine(run.Folder, "plain")), new StringWriter());
        plain.StepCompleted += step => unscheduled.Add(step.Loss);
        plain.Run();
        Assert.That(unscheduled[0], Is.Not.EqualTo(straight[0]), "the first step's batch is not the short one");
    }

    /// <summary>
    /// With <c>RampBatchSize</c> the first half of 8 steps train in batches of 4, then in the run's batches of 8; the
    /// switch moves the cursor to the batch of 8 that starts where the 16 sequences read so far end (batch 2), so no
    /// sequence is skipped or read twice here. Runs stopped in the ramp, exactly at the switch and after it, then resumed, repeat the
    /// uninterrupted one bit for bit.
    /// </summary>
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(5)]
    public void BatchRampTrainsSmallThenFullAndResumesBitForBit(int stopAfter)
    {
        using var run = new TinyPretrainingRun();
        PretrainingOptions Ramped(string name) =>
            run.Options(steps: 8, Path.Combine(run.Folder, name)) with { RampBatchSize = 4, RampFraction = 0.5, CheckpointEvery = 1, Keep = 8 };

        var log = new StringWriter();
        var straight = Losses(run, Ramped("straight"), log);
        Assert.That(log.ToString(), Does.Contain("Steps 1–4 on sequences of 32 tokens, 4 to a batch."));
        Assert.That(log.ToString(), Does.Contain("After step 4: sequences of 32 tokens from now on, 8 to a batch."));
        var inRamp = TrainerState.Load(Path.Combine(run.Folder, "straight", "checkpoint-4", TrainerState.FileName));
        var afterSwitch = TrainerState.Load(Path.Combine(run.Folder, "straight", "checkpoint-5", TrainerState.FileName));
        Assert.That((inRamp.Cursor, inRamp.SecondPhaseBegun), Is.EqualTo((new DataCursor(0, 4), false)), "four batches of 4 read");
        Assert.That((afterSwitch.Cursor, afterSwitch.SecondPhaseBegun), Is.EqualTo((new DataCursor(0, 3), true)), "16 sequences = 2 batches of 8, then one more");

        Assert.That(StoppedAndResumed(run, Ramped("interrupted"), stopAfter), Is.EqualTo(straight));
    }

    /// <summary>The step losses of a run of <paramref name="options"/>, logging to <paramref name="log"/>.</summary>
    private static List<double> Losses(TinyPretrainingRun run, PretrainingOptions options, StringWriter log)
    {
        var losses = new List<double>();
        var trainer = run.NewTrainer(options, log);
        trainer.StepCompleted += step => losses.Add(step.Loss);
        trainer.Run();
        return losses;
    }

    /// <summary>The step losses of a run of <paramref name="options"/> stopped after step <paramref name="stopAfter"/>, then resumed to its end.</summary>
    private static List<double> StoppedAndResumed(TinyPretrainingRun run, PretrainingOptions options, int stopAfter)
    {
        var losses = new List<double>();
        var first = run.NewTrainer(options, new StringWriter());
        first.StepCompleted += step =>
        {
            losses.Add(step.Loss);
            if (step.Step == stopAfter)
            {
                first.RequestStop();
            }
        };
        first.Run();
        var second = TinyPretrainingRun.ResumeTrainer(options.OutputDirectory, new StringWriter());
        second.StepCompleted += step => losses.Add(step.Loss);
        second.Run();
        return losses;
    }

    /// <summary>
    /// With a time budget the switch to full-length sequences comes at the schedule's step or when the fraction (0.9)
    /// of the budget's time is spent, whichever is first. The clock here slows down fourfold after 150 readings (about
    /// a quarter of the budget, after the plan's re-planning at step 20), so the plan overshoots and its step 0.9·T is
    /// never reached: without the switch by time the run has no full-length step (checked: this test then fails), with
    /// it the switch comes no later than the first step that starts past 0.9 of the budget.
    /// </summary>
    [Test]
    public void SequenceLengthScheduleSwitchesByTheBudgetsTimeAtTheLatest()
    {
        using var run = new TinyPretrainingRun();
        var budget = TimeSpan.FromSeconds(6);
        var options = run.Options(steps: 1) with { Steps = null, TimeBudget = budget, CheckpointEvery = 100_000, ShortSequenceLength = 16, ShortSequenceFraction = 0.9 };
        var log = new StringWriter();
        var clock = new TickingClock(TimeSpan.FromMilliseconds(10), slowerTick: TimeSpan.FromMilliseconds(40), slowerAfterReadings: 150);
        var result = run.NewTrainer(options, log, clock).Run();
        Assert.That(result.Reason, Is.EqualTo(StopReason.TimeBudgetSpent), log.ToString());

        var switchLine = log.ToString().Split('\n').Single(line => line.StartsWith("After step ", StringComparison.Ordinal));
        long switchStep = long.Parse(switchLine["After step ".Length..switchLine.IndexOf(':')], System.Globalization.CultureInfo.InvariantCulture);
        var steps = MetricsLog.Read(MetricsLog.PathFor(run.RunDirectory)).Records.Where(r => r.Split == MetricsSplit.Train).ToList();
        long firstStepPastTheShare = steps.First(r => r.ElapsedSeconds >= 0.9 * budget.TotalSeconds).Step;
        Assert.That(switchStep, Is.LessThanOrEqualTo(firstStepPastTheShare), log.ToString());
        Assert.That(log.ToString(), Does.Contain("(fewer if 90 % of the time budget is spent first)."));
    }

    [Test]
    public void UnwritableOutputIsReportedBeforeTraining()
    {
        using var run = new TinyPretrainingRun();
        string blocker = Path.Combine(run.Folder, "a-file");
        File.WriteAllText(blocker, "not a directory");
        var options = run.Options(steps: 2, Path.Combine(blocker, "run"));
        var error = Assert.Throws<IOException>(() => run.NewTrainer(options, new StringWriter()).Run());
        Assert.That(error!.Message, Does.Contain("is not writable"));
    }
}

using MiniBioBert.Model;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Pretraining;
using MiniBioBert.Training.Reporting;
using Spectre.Console;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// A NaN injected into one weight before a step: the trainer must notice the non-finite gradient norm and name the
/// tensor. With <see cref="NonFiniteAction.Skip"/> it skips that update and goes on once the weight is repaired; with
/// <see cref="NonFiniteAction.Rollback"/> it restores the newest checkpoint (which repairs the weight) and goes on
/// after the bad batch. The metrics log records either.
/// </summary>
public class NumericalTroubleTests
{
    private const string Poisoned = "bert.encoder.layer.0.intermediate.dense.weight";

    [Test]
    public void TheWarningNamesThePoisonedTensor()
    {
        using var sandbox = new Sandbox();
        var (log, _, _, _, _) = TrainWithOneNaN(sandbox);
        Assert.That(log, Does.Contain($"first non-finite gradient in '{Poisoned} (its value is not finite)'"));
    }

    [Test]
    public void ANonFiniteGradientSkipsTheUpdateAndNamesATensor()
    {
        using var sandbox = new Sandbox();
        var (log, result, results, before, after) = TrainWithOneNaN(sandbox);

        TestContext.Out.WriteLine(log);
        Assert.Multiple(() =>
        {
            Assert.That(result.Steps, Is.EqualTo(6), "training goes on after the bad step");
            Assert.That(results.Select(r => r.Skipped), Is.EqualTo(new[] { false, false, true, false, false, false }));
            Assert.That(double.IsFinite(results[2].GradNorm), Is.False);
            Assert.That(after, Is.EqualTo(before), "the skipped step changes no weight");
            Assert.That(results.Skip(3).All(r => double.IsFinite(r.Loss)), Is.True, "the steps after the repair are finite");
            Assert.That(log, Does.Contain("warning: step 3: gradient norm is NaN; first non-finite gradient in '"));
            Assert.That(log, Does.Contain("The update is skipped."));
        });
        var logged = MetricsLog.Read(MetricsLog.PathFor(sandbox.PathOf("run"))).Records.Where(r => r.Split == MetricsSplit.Train).ToList();
        Assert.That(logged.Select(r => r.Step), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }), "the skipped step is in metrics.jsonl too");
        Assert.That(double.IsNaN(logged[2].GradNorm!.Value), Is.True);
    }

    [Test]
    public void RollbackRestoresTheCheckpointBitForBitAndGoesOnPastTheBadBatch()
    {
        using var sandbox = new Sandbox();
        var log = new StringWriter();
        var options = TinyOptions(sandbox) with { OnNonFinite = NonFiniteAction.Rollback, CheckpointEvery = 2 };
        var model = new BertForPreTraining(options.Model, options.Seed);
        var trainer = new PretrainingTrainer(model, TinyData(options), Sandbox.TinyVocabulary, options, Dashboard(log));

        var completed = new List<long>();
        float[]? savedAtStep2 = null, afterRollback = null, checkpointWeights = null;
        (long Steps, float[] M, float[] V)? optimizerAfterRollback = null, checkpointOptimizer = null;
        RollbackResult? rollback = null;
        trainer.StepCompleted += step =>
        {
            completed.Add(step.Step);
            if (step.Step == 2)
            {
                savedAtStep2 = (float[])model.Parameters.Values.Clone(); // what checkpoint-2 is about to hold
            }
            else if (step.Step == 3 && rollback is null)
            {
                model.Parameters[Poisoned].Span[5] = float.NaN; // poisons step 4, once: the rollback repairs it
            }
        };
        trainer.RolledBack += r =>
        {
            rollback = r;
            afterRollback = (float[])model.Parameters.Values.Clone();
            checkpointWeights = BertForPreTraining.Load(r.Checkpoint).Parameters.Values;
            optimizerAfterRollback = Snapshot(trainer.Optimizer);
            checkpointOptimizer = Snapshot(AdamWStateFile.Load(Path.Combine(r.Checkpoint, RunCheckpoints.OptimizerFileName)));
        };

        var result = trainer.Run();

        TestContext.Out.WriteLine(log);
        string run = sandbox.PathOf("run");
        var records = MetricsLog.Read(MetricsLog.PathFor(run)).Records.Where(r => r.Split != MetricsSplit.Eval).ToList();
        var final = TrainerState.Load(Path.Combine(RunCheckpoints.Latest(run), TrainerState.FileName));
        Assert.Multiple(() =>
        {
            Assert.That(rollback, Is.EqualTo(new RollbackResult(4, 2, $"{Poisoned} (its value is not finite)", RunCheckpoints.PathFor(run, 2), 1)));
            Assert.That(completed, Is.EqualTo(new long[] { 1, 2, 3, 3, 4, 5, 6 }), "step 4 fails, steps 3 and 4 are done again");
            Assert.That(afterRollback, Is.EqualTo(savedAtStep2), "the weights are those of step 2, bit for bit");
            Assert.That(afterRollback, Is.EqualTo(checkpointWeights), "… which are checkpoint-2's");
            Assert.That(optimizerAfterRollback!.Value.Steps, Is.EqualTo(2), "AdamW's step count is that of step 2");
            Assert.That(optimizerAfterRollback.Value.M, Is.EqualTo(checkpointOptimizer!.Value.M), "AdamW's m is checkpoint-2's");
            Assert.That(optimizerAfterRollback.Value.V, Is.EqualTo(checkpointOptimizer.Value.V), "AdamW's v is checkpoint-2's");
            Assert.That(log.ToString(), Does.Contain($"warning: step 4: gradient norm is NaN; first non-finite gradient in '{Poisoned} (its value is not finite)'. Rolled back to "));
            Assert.That(result.Steps, Is.EqualTo(6));
            Assert.That(model.Parameters.Values.All(float.IsFinite), Is.True, "the final weights are finite");
            Assert.That(double.IsFinite(result.FinalEvaluation.Loss), Is.True);
            // Steps 1-3 read batches 0-2, the failed step 4 batch 3; after the rollback steps 3-6 read batches 4-7.
            Assert.That(final.Cursor, Is.EqualTo(new DataCursor(0, 8)), "the batches of the undone steps are not read again");
            Assert.That(records.Select(r => (r.Split, r.Step)), Is.EqualTo(new[]
            {
                ("train", 1L), ("train", 2L), ("rollback", 2L), ("train", 3L), ("train", 4L), ("train", 5L), ("train", 6L),
            }), "metrics.jsonl is cut back to step 2, then the rollback line");
            Assert.That(records[2].FailedStep, Is.EqualTo(4));
            Assert.That(records[2].Tensor, Is.EqualTo($"{Poisoned} (its value is not finite)"));
            Assert.That(double.IsNaN(records[2].GradNorm!.Value), Is.True);
        });
    }

    [Test]
    public void RepeatedRollbacksStopTheRunWithOneErrorLine()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");
        // A learning rate of 1e38 makes every weight about ±1e38 after one update: the next step overflows.
        string[] args = [.. Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 20), "--lr", "1e38", "--on-non-finite", "rollback"];

        var result = Cli.Run(sandbox, args);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError,
            $"after {PretrainingTrainer.MaxRollbacksInARow} rollbacks in a row", "checkpoint-0", "--lr");
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
        var rollbacks = MetricsLog.Read(MetricsLog.PathFor(run)).Records.Where(r => r.Split == MetricsSplit.Rollback).ToList();
        Assert.That(rollbacks.Select(r => r.Step), Is.EqualTo(Enumerable.Repeat(0L, PretrainingTrainer.MaxRollbacksInARow)),
            "each rollback went back to checkpoint-0, written before the first step");
    }

    [Test]
    public void TheChoiceIsStoredWithTheRunsOptions()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");

        var result = Cli.Run(sandbox, [.. Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 2), "--on-non-finite", "rollback"]);

        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
        string checkpoint = RunCheckpoints.Latest(run);
        Assert.That(File.ReadAllText(Path.Combine(checkpoint, TrainerState.FileName)), Does.Contain("\"on_non_finite\": \"rollback\""));
        Assert.That(TrainerState.Load(Path.Combine(checkpoint, TrainerState.FileName)).Options.OnNonFinite, Is.EqualTo(NonFiniteAction.Rollback),
            "--resume uses the stored options");
        Assert.That(Directory.Exists(RunCheckpoints.PathFor(run, 0)), Is.True, "a rollback run saves checkpoint-0 first");
    }

    [Test]
    public void FineTuningSkipsANonFiniteStepWithAWarning()
    {
        using var sandbox = new Sandbox();
        // The tiny vocabulary's words, so that the sentences are real tokens; the weight stays NaN, so every step is skipped.
        var model = BertForPreTraining.Load(Sandbox.TinyCheckpoint);
        model.Parameters[Poisoned].Span[5] = float.NaN;
        string checkpoint = sandbox.PathOf("poisoned");
        model.Save(checkpoint, Sandbox.TinyVocabulary);
        List<TaggedSentence> sentences =
        [
            new(["the", "cell", "binds", "dna"], ["O", "B-Gene", "O", "B-Gene"]),
            new(["a", "gene", "is", "expressed"], ["O", "B-Gene", "O", "O"]),
        ];
        var log = new List<string>();

        NerFineTuning.Run(new NerDataSet(sentences, sentences, sentences), checkpoint, null,
            new FineTuningOptions { Epochs = 1, BatchSize = 1, MaxSequenceLength = 16 }, outputDirectory: null, log.Add);

        Assert.That(log, Does.Contain($"warning: epoch 1 step 1: gradient norm is NaN; first non-finite gradient in '{Poisoned} (its value is not finite)'. The update is skipped."));
        Assert.That(log.Count(line => line.EndsWith("The update is skipped.", StringComparison.Ordinal)), Is.EqualTo(2), "both steps");
    }

    /// <summary>Six steps of a tiny model; one weight is NaN during step 3 only. Returns the log, the steps and the weights around step 3.</summary>
    private static (string Log, TrainingResult Result, List<StepResult> Steps, float[]? Before, float[]? After) TrainWithOneNaN(Sandbox sandbox)
    {
        var log = new StringWriter();
        var options = TinyOptions(sandbox);
        var model = new BertForPreTraining(options.Model, options.Seed);
        var trainer = new PretrainingTrainer(model, TinyData(options), Sandbox.TinyVocabulary, options, Dashboard(log));

        var weight = model.Parameters[Poisoned];
        float saved = 0;
        float[]? valuesBeforePoisonedStep = null;
        float[]? valuesAfterPoisonedStep = null;
        var results = new List<StepResult>();
        trainer.StepCompleted += step =>
        {
            results.Add(step);
            if (step.Step == 2)
            {
                // Poison one weight for step 3 only.
                saved = weight.Span[5];
                weight.Span[5] = float.NaN;
                valuesBeforePoisonedStep = (float[])model.Parameters.Values.Clone();
            }
            else if (step.Step == 3)
            {
                valuesAfterPoisonedStep = (float[])model.Parameters.Values.Clone();
                weight.Span[5] = saved;
            }
        };

        var result = trainer.Run();
        return (log.ToString(), result, results, valuesBeforePoisonedStep, valuesAfterPoisonedStep);
    }

    /// <summary>Six steps of a 1-layer model of hidden size 16 on the tiny corpus, without checkpoints until the end.</summary>
    private static PretrainingOptions TinyOptions(Sandbox sandbox) => new()
    {
        Model = new BertConfig { VocabSize = 40, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32 },
        Corpus = [sandbox.WriteTinyCorpus()],
        BatchSize = 2,
        MaxSequenceLength = 16,
        Steps = 6,
        Warmup = 0,
        EvalEvery = 1000,
        EvalBatches = 1,
        CheckpointEvery = 1000,
        OutputDirectory = sandbox.PathOf("run"),
    };

    private static (long Steps, float[] M, float[] V) Snapshot(AdamW optimizer) =>
        (optimizer.StepCount, optimizer.FirstMoment.ToArray(), optimizer.SecondMoment.ToArray());

    private static PretrainingDataset TinyData(PretrainingOptions options) =>
        PretrainingData.Open(options, Sandbox.TinyVocabulary, cacheDirectory: null, log: null);

    private static TrainingDashboard Dashboard(StringWriter log) =>
        new(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(log), Interactive = InteractionSupport.No }));
}

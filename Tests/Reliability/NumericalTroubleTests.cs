using MiniBioBert.Model;
using MiniBioBert.Training.Pretraining;
using MiniBioBert.Training.Reporting;
using Spectre.Console;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// A NaN injected into one weight before a step: the trainer must notice the non-finite gradient norm, name a
/// tensor, skip that update, and go on training once the weight is repaired; the metrics log must record the step.
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

    /// <summary>Six steps of a tiny model; one weight is NaN during step 3 only. Returns the log, the steps and the weights around step 3.</summary>
    private static (string Log, TrainingResult Result, List<StepResult> Steps, float[]? Before, float[]? After) TrainWithOneNaN(Sandbox sandbox)
    {
        var log = new StringWriter();
        var dashboard = new TrainingDashboard(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(log), Interactive = InteractionSupport.No }));
        var options = new PretrainingOptions
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
        var model = new BertForPreTraining(options.Model, options.Seed);
        var data = PretrainingData.Open(options, Sandbox.TinyVocabulary, cacheDirectory: null, log: null);
        var trainer = new PretrainingTrainer(model, data, Sandbox.TinyVocabulary, options, dashboard);

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
}

using MiniBioBert.Benchmarks.Measurements;
using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Tests.Reliability;
using MiniBioBert.Tests.Training.Pretraining;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Pretraining;
using MiniBioBert.Training.Reporting;
using Spectre.Console;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// Pretraining on every device: <c>train --device reference</c> end to end, and three steps of the tiny pretraining
/// model on <c>cpu</c>, <c>reference</c> and <c>ilgpu-cpu</c> from the same weights, data and dropout masks, compared
/// within the float32 bounds of <see cref="FloatBounds"/>.
/// </summary>
[Category("Gpu")]
public class EveryDeviceTrainingTests
{
    private const int Steps = 3;

    /// <summary>The longest reduction of <see cref="TinyPretrainingRun"/>'s model: the intermediate size 64 (hidden 32, 32 positions, 25 tokens).</summary>
    private const int Length = 64;

    private static readonly int Stages = FloatBounds.BertStages(layers: 2);

    [Test]
    public void TrainRunsOnTheReferenceDevice()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");

        var result = Cli.Run(sandbox, [.. Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 2), "--device", "reference"]);

        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
        Assert.That(result.All, Does.Contain("Device: reference"));
        Assert.That(BertForPreTraining.Load(RunCheckpoints.Latest(run)).Parameters.Values.All(float.IsFinite), Is.True);
    }

    [Test]
    public void ThreeStepsGiveTheSameLossesAndWeightsOnEveryDevice()
    {
        using var run = new TinyPretrainingRun();
        var cpu = Train(run, Device.Cpu, "cpu");
        foreach (var (device, name) in new[] { (Device.Reference, "reference"), (GpuTestDevice.Device, "ilgpu-cpu") })
        {
            var other = Train(run, device, name);
            TestContext.Out.WriteLine($"losses cpu [{string.Join(", ", cpu.Steps.Select(s => s.Loss))}], {name} [{string.Join(", ", other.Steps.Select(s => s.Loss))}]");
            Assert.That(other.Steps, Has.Count.EqualTo(Steps));

            double gradients = FloatBounds.Backward(Stages, Length);
            double maxLearningRate = cpu.Steps.Max(s => s.LearningRate);
            double maxWeight = cpu.Weights.Max(w => Math.Abs((double)w));
            for (int step = 0; step < Steps; step++)
            {
                double bound = FloatBounds.Loss(step, cpu.Steps[step].Loss, cpu.Steps[step].GradNorm, Stages, Length, maxLearningRate, maxWeight, cpu.Weights.Length);
                Assert.That(other.Steps[step].Loss, Is.EqualTo(cpu.Steps[step].Loss).Within(bound), $"{name}: loss of step {step + 1}");
            }
            // The checkpoints were saved from the device (downloaded first) and load on the CPU.
            GpuTesting.AssertClose(other.Weights, cpu.Weights, $"{name}: weights after {Steps} steps (normwise, key biases aside)",
                FloatBounds.Weights(Steps, maxLearningRate, gradients));
            for (int i = 0; i < cpu.KeyBiases.Length; i++)
            {
                Assert.That(other.KeyBiases[i], Is.EqualTo(cpu.KeyBiases[i]).Within(2 * Steps * maxLearningRate), $"{name}: key bias");
            }
        }
    }

    private sealed record Run(List<StepResult> Steps, float[] Weights, float[] KeyBiases);

    /// <summary>Trains <see cref="Steps"/> steps on <paramref name="device"/>; returns the steps and the final checkpoint's weights.</summary>
    private static Run Train(TinyPretrainingRun run, Device device, string name)
    {
        var options = run.Options(Steps, Path.Combine(run.Folder, name)) with { BatchSize = 2, EvalBatches = 1, EvalEvery = Steps, CheckpointEvery = Steps };
        var model = new BertForPreTraining(options.Model, options.Seed);
        model.MoveTo(device);
        try
        {
            var trainer = new PretrainingTrainer(model, TinyPretrainingRun.OpenData(options, run.VocabPath), run.VocabPath, options, QuietDashboard());
            var steps = new List<StepResult>();
            trainer.StepCompleted += steps.Add;
            var saved = BertForPreTraining.Load(trainer.Run().LastCheckpoint);
            float[] Weights(bool keyBias) => [.. saved.Parameters.Parameters.Where(p => FloatBounds.GradientIsZero(p.Name) == keyBias).SelectMany(p => p.Value.ToArray())];
            return new Run(steps, Weights(false), Weights(true));
        }
        finally
        {
            model.MoveTo(Device.Cpu);
        }
    }

    private static TrainingDashboard QuietDashboard() => new(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(TextWriter.Null),
    }));
}

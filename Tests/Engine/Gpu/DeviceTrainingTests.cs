using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Tests.Training.Pretraining;
using MiniBioBert.Training.Pretraining;
using MiniBioBert.Training.Reporting;
using Spectre.Console;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// End to end: the same few pretraining steps of a tiny model through <see cref="PretrainingTrainer"/> (the code
/// <c>train</c> runs) on the CPU and on ILGPU's CPU accelerator, from the same weights and data.
/// </summary>
[Category("Gpu")]
public class DeviceTrainingTests
{
    private const int Steps = 3;

    [Test]
    public void AFewTrainingStepsGiveTheSameLossesOnBothDevices()
    {
        using var run = new TinyPretrainingRun();
        var (cpuLosses, cpuCheckpoint, _) = Train(run, Device.Cpu, "cpu");
        var (gpuLosses, gpuCheckpoint, waits) = Train(run, GpuTestDevice.Device, "ilgpu-cpu");

        TestContext.Out.WriteLine($"losses cpu [{string.Join(", ", cpuLosses)}], ilgpu-cpu [{string.Join(", ", gpuLosses)}]");
        Assert.That(gpuLosses, Has.Count.EqualTo(Steps));
        for (int step = 0; step < Steps; step++)
        {
            // Step 1 sees identical weights (losses agree to float rounding, ≈ 1e-7); later steps see weights that
            // differ by the ≈ 1e-6 relative gradient differences times the learning rate. 1e-5 relative bounds both.
            Assert.That(gpuLosses[step], Is.EqualTo(cpuLosses[step]).Within(1e-5 * cpuLosses[step]), $"loss of step {step + 1}");
        }

        // Between the ends of steps 1 and 2 (no evaluation, no checkpoint) the trainer waited for the device once: the
        // step's one download brought its loss, norm and the predictions behind its accuracies together.
        Assert.That(waits[1] - waits[0], Is.EqualTo(1), "waits for the device in one step of train");

        // The GPU run's checkpoint was downloaded when saved: it loads on the CPU, with the CPU run's weights.
        var fromGpu = BertForPreTraining.Load(gpuCheckpoint);
        var fromCpu = BertForPreTraining.Load(cpuCheckpoint);
        GpuTesting.AssertClose(fromGpu.Parameters.Values, fromCpu.Parameters.Values, "final weights (normwise)", tolerance: 1e-4);
    }

    [Test]
    public void ANonFiniteWeightOnTheDeviceIsNamedAndRolledBack()
    {
        const string Poisoned = "bert.encoder.layer.0.intermediate.dense.weight";
        using var run = new TinyPretrainingRun();
        var options = run.Options(4, Path.Combine(run.Folder, "rollback")) with
        {
            BatchSize = 2,
            EvalBatches = 1,
            EvalEvery = 100,
            CheckpointEvery = 2,
            OnNonFinite = NonFiniteAction.Rollback,
        };
        var model = new BertForPreTraining(options.Model, options.Seed);
        model.MoveTo(GpuTestDevice.Device);
        try
        {
            var trainer = new PretrainingTrainer(model, TinyPretrainingRun.OpenData(options, run.VocabPath), run.VocabPath, options, QuietDashboard());
            bool poisoned = false;
            RollbackResult? rollback = null;
            float[]? restored = null, inCheckpoint = null;
            trainer.StepCompleted += step =>
            {
                if (step.Step == 3 && !poisoned)
                {
                    // A NaN written straight into device memory, as a diverging update would leave it.
                    var weight = model.Parameters[Poisoned];
                    var values = weight.ToArray();
                    values[5] = float.NaN;
                    GpuTestDevice.Cpu.Upload<float>(values, weight.DeviceView);
                    poisoned = true;
                }
            };
            trainer.RolledBack += result =>
            {
                rollback = result;
                restored = model.Parameters[Poisoned].ToArray();
                inCheckpoint = BertForPreTraining.Load(result.Checkpoint).Parameters[Poisoned].ToArray();
            };

            var final = trainer.Run();

            Assert.That(rollback, Is.Not.Null, "step 4 is rolled back");
            Assert.That(rollback!.Tensor, Is.EqualTo($"{Poisoned} (its value is not finite)"), "the weight is named after reading it from the device");
            Assert.That(rollback.RestoredStep, Is.EqualTo(2));
            Assert.That(restored, Is.EqualTo(inCheckpoint), "the device holds checkpoint-2's weights, bit for bit");
            Assert.That(final.Steps, Is.EqualTo(4));
            Assert.That(model.Parameters[Poisoned].ToArray().All(float.IsFinite), Is.True, "training went on from the repaired weights");
        }
        finally
        {
            model.MoveTo(Device.Cpu);
        }
    }

    /// <summary>
    /// Trains <see cref="Steps"/> steps on <paramref name="device"/>; returns each step's loss, the final checkpoint, and
    /// the device's count of waits at the end of each step (on a GPU).
    /// </summary>
    private static (List<double> Losses, string Checkpoint, List<long> Waits) Train(TinyPretrainingRun run, Device device, string name)
    {
        var options = run.Options(Steps, Path.Combine(run.Folder, name)) with { BatchSize = 2, EvalBatches = 1, EvalEvery = Steps, CheckpointEvery = Steps };
        var model = new BertForPreTraining(options.Model, options.Seed);
        model.MoveTo(device);
        try
        {
            var trainer = new PretrainingTrainer(model, TinyPretrainingRun.OpenData(options, run.VocabPath), run.VocabPath, options, QuietDashboard());
            var (losses, waits) = (new List<double>(), new List<long>());
            trainer.StepCompleted += step =>
            {
                losses.Add(step.Loss);
                waits.Add(device.Gpu?.Counters.Read().Synchronizations ?? 0);
            };
            var result = trainer.Run();
            return (losses, result.LastCheckpoint, waits);
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

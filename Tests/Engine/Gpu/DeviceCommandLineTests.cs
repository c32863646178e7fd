using MiniBioBert.Engine.Gpu;
using MiniBioBert.Model;
using MiniBioBert.Tests.Reliability;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary><c>train --device</c>: a run on ILGPU's CPU accelerator, and the error for an accelerator that is absent.</summary>
[Category("Gpu")]
public class DeviceCommandLineTests
{
    [Test]
    public void TrainRunsOnTheIlgpuCpuDevice()
    {
        using var sandbox = new Sandbox();
        string run = sandbox.PathOf("run");

        var result = Cli.Run(sandbox, [.. Sandbox.TinyTrainArguments(sandbox.WriteTinyCorpus(), run, steps: 2), "--device", "ilgpu-cpu"]);

        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
        Assert.That(result.All, Does.Contain("Device: ilgpu-cpu"));
        var model = BertForPreTraining.Load(RunCheckpoints.Latest(run));
        Assert.That(model.Parameters.Values.All(float.IsFinite), Is.True, "the checkpoint saved from the device loads on the CPU");
    }

    [Test]
    public void EvalOnTheIlgpuCpuDeviceGivesTheCpuNumbers()
    {
        using var sandbox = new Sandbox();
        string corpus = sandbox.WriteTinyCorpus();
        string run = sandbox.PathOf("run");
        var trained = Cli.Run(sandbox, Sandbox.TinyTrainArguments(corpus, run, steps: 2));
        Assert.That(trained.ExitCode, Is.EqualTo(CommandRunner.Success), trained.ToString());
        string checkpoint = RunCheckpoints.Latest(run);

        var onCpu = Cli.Run(sandbox, "eval", "--checkpoint", checkpoint, "--corpus", corpus);
        var onDevice = Cli.Run(sandbox, "eval", "--checkpoint", checkpoint, "--corpus", corpus, "--device", "ilgpu-cpu");

        Assert.That(onCpu.ExitCode, Is.EqualTo(CommandRunner.Success), onCpu.ToString());
        Assert.That(onDevice.ExitCode, Is.EqualTo(CommandRunner.Success), onDevice.ToString());
        // Same predictions, hence the same accuracies; the losses agree to float32 rounding (the printed table rounds
        // them to 4 decimals and the accuracies to 2, so the tables are equal).
        Assert.That(Table(onDevice.Output), Is.EqualTo(Table(onCpu.Output)));
    }

    /// <summary>The printed rows of the eval table (from "MLM accuracy" to the baseline), without the JSON line.</summary>
    private static string[] Table(string output) =>
        [.. output.Split('\n').SkipWhile(line => !line.Contains("MLM accuracy", StringComparison.Ordinal)).TakeWhile(line => !line.StartsWith('{'))];

    [TestCase("cuda")]
    [TestCase("opencl")]
    public void AnAbsentAcceleratorIsAUsageErrorThatListsTheOnesFound(string name)
    {
        if (GpuDevice.Available().Any(found => found.StartsWith(name + " ", StringComparison.Ordinal)))
        {
            Assert.Ignore($"A '{name}' accelerator is present on this machine.");
        }
        using var sandbox = new Sandbox();

        var result = Cli.Run(sandbox, "train", "--device", name, "--steps", "1");

        Cli.AssertCleanFailure(result, CommandRunner.UsageError, "--device", name, "not available", "ilgpu-cpu");
    }
}

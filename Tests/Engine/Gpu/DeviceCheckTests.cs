using MiniBioBert.Benchmarks.Measurements;
using MiniBioBert.Engine;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// <c>Benchmarks -- device-check</c>, the self-check a GPU machine without the .NET SDK runs: in-process on
/// <c>ilgpu-cpu</c> and <c>reference</c> every kernel line and every training step must say OK with exit code 0, and a
/// wrong result or a too tight tolerance must give FAIL and exit code 1.
/// </summary>
[Category("Gpu")]
public class DeviceCheckTests
{
    [Test]
    public void EveryKernelAndStepIsWithinToleranceOnIlgpuCpu() => ExpectAllOk(GpuTestDevice.Device);

    [Test]
    public void EveryKernelAndStepIsWithinToleranceOnTheReferenceDevice() => ExpectAllOk(Device.Reference);

    [Test]
    public void AWrongResultOrAToleranceTooTightFails()
    {
        var tooTight = DeviceCheck.Cases.First(c => c.Name.StartsWith("MatMul", StringComparison.Ordinal)) with { Tolerance = _ => 1e-12 };
        // The same inputs, but the device's "kernel" scales them differently from the CPU's.
        var wrong = new DeviceCheck.KernelCase("wrong on purpose", x =>
        {
            var values = x.Uniform(8).ToArray();
            bool onCpu = x.Uniform(1).Device == Device.Cpu;
            return [[.. values.Select(v => onCpu ? v : v * 1.001f)]];
        });
        var output = new StringWriter();

        int exitCode = DeviceCheck.Check(GpuTestDevice.Device, [tooTight, wrong], output);

        TestContext.Out.WriteLine(output);
        Assert.That(exitCode, Is.EqualTo(1));
        var lines = output.ToString().Split('\n');
        Assert.That(lines.Single(l => l.StartsWith(tooTight.Name, StringComparison.Ordinal)), Does.EndWith("FAIL"));
        Assert.That(lines.Single(l => l.StartsWith("wrong on purpose", StringComparison.Ordinal)), Does.EndWith("FAIL"));
        Assert.That(output.ToString(), Does.Contain("device-check: 2 FAIL"));
    }

    [TestCase("device-check")]
    [TestCase("device-check", "--device", "no-such-device")]
    public void AMissingOrUnknownDeviceIsAUsageError(params string[] args) =>
        Assert.That(MiniBioBert.Benchmarks.Program.Main(args), Is.EqualTo(2));

    private static void ExpectAllOk(Device device)
    {
        var output = new StringWriter();

        int exitCode = DeviceCheck.Check(device, DeviceCheck.Cases, output);

        TestContext.Out.WriteLine(output);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var kernelLines = lines.Where(l => DeviceCheck.Cases.Any(c => l.StartsWith(c.Name + " ", StringComparison.Ordinal))).ToArray();
        var stepLines = lines.Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToArray();
        Assert.That(kernelLines, Has.Length.EqualTo(DeviceCheck.Cases.Count), "one line per kernel case");
        Assert.That(stepLines, Has.Length.EqualTo(3), "one line per training step");
        Assert.That(kernelLines.Concat(stepLines), Has.All.EndsWith(" OK"));
        Assert.That(lines[^1], Is.EqualTo("device-check: all OK"));
        Assert.That(exitCode, Is.EqualTo(0));
    }
}

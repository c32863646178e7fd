using System.Text.Json;
using MiniBioBert.Benchmarks.Measurements;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// <c>Benchmarks -- gpu-gemm</c> at small sizes on <c>ilgpu-cpu</c>: every shape of the model checked against the
/// CPU, cuBLAS reported as not available (why), one JSON line; a host device is a usage error. The times themselves
/// are not asserted (no GPU here).
/// </summary>
[Category("Gpu")]
public class GpuGemmMeasurementTests
{
    [Test]
    public void EveryShapeRunsAndMatchesTheCpuOnIlgpuCpu()
    {
        var output = new StringWriter();

        int exitCode = GpuGemmMeasurement.Run(["--device", "ilgpu-cpu", "--batch", "1", "--seq", "16", "--vocab", "100", "--repeats", "1"], output);

        TestContext.Out.WriteLine(output);
        Assert.That(exitCode, Is.Zero);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Contain("cuBLAS: not available (the device is ilgpu-cpu, not cuda)"));
        var shapes = GpuGemmMeasurement.Shapes(1, 16, 100);
        Assert.That(lines.Count(l => l.TrimEnd('\r').EndsWith(" OK", StringComparison.Ordinal)), Is.EqualTo(shapes.Count), "one checked line per shape");
        using var json = JsonDocument.Parse(lines.Single(l => l.StartsWith('{')));
        Assert.That(json.RootElement.GetProperty("shapes").GetArrayLength(), Is.EqualTo(shapes.Count));
    }

    [Test]
    public void AHostDeviceIsAUsageError() =>
        Assert.That(MiniBioBert.Benchmarks.Program.Main(["gpu-gemm", "--device", "cpu"]), Is.EqualTo(2));
}

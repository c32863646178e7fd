using System.CommandLine;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>Device failures become one <c>error:</c> line naming the device, the last kernel and the cause.</summary>
[Category("Gpu")]
public class GpuFailureTests
{
    [Test]
    public void ADeviceFailureNamesTheDeviceTheLastKernelAndTheCause()
    {
        var device = GpuTestDevice.Device;
        var x = Tensor.Zeros(device, 4);
        TensorKernels.Scale(x, 2f, x);

        string? line = GpuFailure.Describe(new TypeInitializationException("PtxJit", new DllNotFoundException("libnvptxcompiler.so could not be loaded")));

        Assert.That(line, Does.Contain("device ilgpu-cpu").And.Contain("last kernel launched: Scale")
            .And.Contain("DllNotFoundException").And.Contain("libnvptxcompiler.so"));
        Assert.That(GpuFailure.Describe(new InvalidDataException("not a device failure")), Is.Null);
    }

    [Test]
    public void ACommandThatMeetsADeviceFailurePrintsOneErrorLine()
    {
        var root = new RootCommand();
        var command = new Command("fail");
        CommandRunner.SetAction(command, (_, _) => throw new DllNotFoundException("libcuda.so: cannot open shared object file"));
        root.Subcommands.Add(command);
        var (output, error) = (new StringWriter(), new StringWriter());

        int code = CommandRunner.Invoke(root, ["fail"], output, error);

        Assert.That(code, Is.EqualTo(CommandRunner.RuntimeError));
        Assert.That(error.ToString(), Does.StartWith("error: ").And.Contain("libcuda.so").And.Not.Contain("   at "));
        Assert.That(error.ToString().TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    /// <summary>Where no CUDA device is found, the message says what ILGPU looked for (the driver library) and what is there.</summary>
    [Test]
    public void AnAbsentCudaDeviceIsExplained()
    {
        if (GpuDevice.Available().Any(name => name.StartsWith("cuda", StringComparison.Ordinal)))
        {
            Assert.Ignore("A CUDA device is present.");
        }
        var error = Assert.Throws<InvalidOperationException>(() => Device.Open("cuda"));
        Assert.That(error!.Message, Does.Contain("libcuda.so"));
    }
}

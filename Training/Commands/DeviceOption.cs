using System.CommandLine;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Training.Commands;

/// <summary>
/// The <c>--device</c> option: <c>cpu</c>, <c>reference</c> (the textbook kernels of Engine/Reference, for stepping
/// through in a debugger), or a GPU through ILGPU (<c>cuda</c>, <c>opencl</c>, <c>ilgpu-cpu</c>).
/// </summary>
internal static class DeviceOption
{
    /// <summary>The names <c>--device</c> accepts.</summary>
    public static IReadOnlyList<string> Supported => Device.Names;

    /// <summary>The <c>--device</c> option, <c>cpu</c> by default.</summary>
    public static Option<string> Create() => new("--device")
    {
        Description = $"Compute device: {string.Join(", ", Supported)} (reference: the plain textbook loops of Engine/Reference on one " +
            "thread, slow, for stepping through in a debugger; GPUs through ILGPU; ilgpu-cpu emulates one, slowly, for tests).",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>
    /// Opens the device called <paramref name="name"/> (dispose it when done); with several GPUs of that kind, number
    /// <paramref name="ordinal"/> modulo their count. An unknown name, or an accelerator that is not present, gives an
    /// <see cref="ArgumentException"/> (a usage error) that lists the accelerators found.
    /// </summary>
    public static Device Open(string name, int ordinal = 0)
    {
        try
        {
            return Device.Open(name, ordinal);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"--device {name} is not available here. {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--device: {e.Message}", e);
        }
    }
}

/// <summary>Sets the number of CPU threads the kernels use.</summary>
internal static class CpuThreads
{
    /// <summary>Sets <see cref="CpuParallel.ThreadCount"/>; <see cref="ArgumentException"/> unless it is positive.</summary>
    public static void Set(int threads)
    {
        if (threads <= 0)
        {
            throw new ArgumentException($"--threads must be positive, not {threads}.");
        }
        CpuParallel.ThreadCount = threads;
    }
}

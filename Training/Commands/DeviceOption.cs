using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Training.Commands;

/// <summary>Checks of the <c>--device</c> and <c>--threads</c> options.</summary>
public static class DeviceOption
{
    /// <summary>The devices this build can compute on.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["cpu"];

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="device"/> is supported.</summary>
    public static void RequireCpu(string device)
    {
        if (!Supported.Contains(device, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--device '{device}' is not available; supported devices: {string.Join(", ", Supported)}.");
        }
    }
}

/// <summary>Sets the number of CPU threads the kernels use.</summary>
public static class CpuThreads
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

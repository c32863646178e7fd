using System.Diagnostics;
using System.Globalization;
using MiniBioBert.Training.Commands;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>What the <c>train-step</c> and <c>inference</c> commands share: their options and the peak memory.</summary>
internal static class MeasurementArguments
{
    /// <summary>VmHWM from /proc/self/status (Linux), else the process's peak working set.</summary>
    public static double PeakResidentMegabytes()
    {
        const string Path = "/proc/self/status";
        if (File.Exists(Path))
        {
            foreach (var line in File.ReadLines(Path))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return double.Parse(kilobytes, CultureInfo.InvariantCulture) / 1024;
                }
            }
        }
        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>The text after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    public static string Text(string[] args, string name, string fallback)
    {
        int index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return fallback;
        }
        return index + 1 < args.Length ? args[index + 1] : throw new ArgumentException($"{name} needs a value.");
    }

    /// <summary>The positive whole number after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        int index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return fallback;
        }
        if (index + 1 >= args.Length || !int.TryParse(args[index + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value <= 0)
        {
            throw new ArgumentException($"{name} needs a positive whole number.");
        }
        return value;
    }

    /// <summary>
    /// The options both measurements take: <c>--steps</c> and <c>--warmup</c> (with the command's defaults),
    /// <c>--batch</c> (32), <c>--seq</c> (128), <c>--threads</c> (all cores; applied here) and <c>--device</c> (cpu; opened
    /// here: dispose it when done).
    /// </summary>
    public static (int Steps, int Warmup, int BatchSize, int SequenceLength, Device Device) Common(string[] args, int steps, int warmup)
    {
        var settings = (Int(args, "--steps", steps), Int(args, "--warmup", warmup), Int(args, "--batch", 32), Int(args, "--seq", 128));
        CpuParallel.ThreadCount = Int(args, "--threads", Environment.ProcessorCount);
        var device = DeviceOption.Open(Text(args, "--device", "cpu"));
        return (settings.Item1, settings.Item2, settings.Item3, settings.Item4, device);
    }
}

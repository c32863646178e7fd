using System.Globalization;
using System.Runtime.InteropServices;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// A process started in the background by a non-interactive shell (<c>cmd &amp;</c>, <c>nohup</c>) starts with
/// SIGINT ignored, and every process it starts inherits that: the test host would then start a Training process on
/// which Ctrl+C (SIGINT) does nothing, and the Ctrl+C test would wait in vain. Before starting a child, the test host
/// gives SIGINT back its default action when it finds it ignored (the SigIgn mask of <c>/proc/self/status</c>),
/// so the child starts as it would from a terminal. Linux only; elsewhere nothing is changed.
/// </summary>
internal static partial class InheritedSignals
{
    private const int SigInt = 2;
    private static readonly IntPtr DefaultAction = IntPtr.Zero; // SIG_DFL

    public static void RestoreDefaultInterruptIfIgnored()
    {
        if (!OperatingSystem.IsLinux() || !IsIgnored(SigInt))
        {
            return;
        }
        Signal(SigInt, DefaultAction);
    }

    private static bool IsIgnored(int signal)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask)
            && (mask & (1UL << (signal - 1))) != 0;
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial IntPtr Signal(int signal, IntPtr handler);
}

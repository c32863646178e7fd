using System.Diagnostics;
using System.Text;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// The Training program (<c>Training.dll</c>, copied next to the test assembly) run as a separate process in a
/// sandbox, so that it can be killed with SIGKILL or interrupted with SIGINT like a user's terminal would.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The Training program built next to the test assembly.</summary>
    public static string TrainingDll => Path.Combine(TestContext.CurrentContext.TestDirectory, "Training.dll");

    public static ChildProcess Start(Sandbox sandbox, IEnumerable<string> args) => Start(sandbox, "dotnet", [TrainingDll, .. args]);

    /// <summary><paramref name="program"/> (e.g. mpirun, which starts the Training program itself) with <paramref name="arguments"/>.</summary>
    public static ChildProcess Start(Sandbox sandbox, string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = sandbox.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        InheritedSignals.RestoreDefaultInterruptIfIgnored();
        var child = new ChildProcess(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; false when the process ends or time runs out first.</summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }
            if (_process.HasExited)
            {
                return condition();
            }
            Thread.Sleep(10);
        }
        return false;
    }

    /// <summary>SIGKILL: the process dies at once, wherever it is.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGINT, what Ctrl+C sends (<see cref="Process.Kill()"/> can only send SIGKILL).</summary>
    public void Interrupt() => Signal("INT");

    /// <summary>Sends the signal called <paramref name="name"/> (INT, USR1, …) with /bin/kill.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/kill", [$"-{name}", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit();
        return true;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

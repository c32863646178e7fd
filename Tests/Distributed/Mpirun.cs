using MiniBioBert.Tests.Reliability;

namespace MiniBioBert.Tests.Distributed;

/// <summary>
/// Open MPI's <c>mpirun</c> starting the Training program on this machine (loopback): as root (CI runs as root) and
/// with more ranks than cores allowed. Where Open MPI is not installed, the tests that need it are ignored with one
/// line saying so.
/// </summary>
internal static class Mpirun
{
    /// <summary>The full path of mpirun on PATH, or null.</summary>
    public static string? Program { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, "mpirun"))
        .FirstOrDefault(File.Exists);

    /// <summary>Ignores the calling test when mpirun is missing.</summary>
    public static void RequireOrIgnore()
    {
        if (Program is null)
        {
            Assert.Ignore("mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) to run the MPI tests.");
        }
    }

    /// <summary><c>mpirun -np <paramref name="ranks"/> dotnet Training.dll <paramref name="args"/></c>.</summary>
    public static ChildProcess Start(Sandbox sandbox, int ranks, IEnumerable<string> args) => StartEach(sandbox, [(ranks, args)]);

    /// <summary>
    /// One job of several command lines (mpirun's <c>-np 1 A : -np 1 B</c>): the ranks of each part get its own
    /// arguments, numbered in order.
    /// </summary>
    public static ChildProcess StartEach(Sandbox sandbox, IEnumerable<(int Ranks, IEnumerable<string> Args)> parts)
    {
        var arguments = new List<string> { "--allow-run-as-root", "--oversubscribe" };
        foreach (var (ranks, args) in parts)
        {
            if (arguments.Count > 2)
            {
                arguments.Add(":");
            }
            arguments.AddRange(["-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", ChildProcess.TrainingDll, .. args]);
        }
        return ChildProcess.Start(sandbox, Program!, arguments);
    }

    /// <summary>The process id of rank <paramref name="rank"/> of the job whose command lines mention <paramref name="marker"/>, or null.</summary>
    public static int? ProcessOfRank(int rank, string marker)
    {
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int id))
            {
                continue;
            }
            try
            {
                string commandLine = File.ReadAllText(Path.Combine(folder, "cmdline"));
                string environment = File.ReadAllText(Path.Combine(folder, "environ"));
                if (commandLine.Contains(marker, StringComparison.Ordinal) && commandLine.Contains("Training.dll", StringComparison.Ordinal)
                    && environment.Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}"))
                {
                    return id;
                }
            }
            catch (IOException)
            {
                // the process ended while we looked
            }
            catch (UnauthorizedAccessException)
            {
                // another user's process
            }
        }
        return null;
    }
}

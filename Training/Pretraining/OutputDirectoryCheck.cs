namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// Checks, before any work, that the places a command writes to can be written: every command calls
/// <see cref="EnsureFolderCanBeWritten"/> or <see cref="EnsureFileCanBeWritten"/> on each of its outputs first, and the
/// trainer calls <see cref="EnsureWritable"/> (which also checks the free space) before its first step. The first two
/// leave nothing behind: a folder they create for the probe is removed again, whether the check passes or not.
/// </summary>
internal static class OutputDirectoryCheck
{
    /// <summary>
    /// Creates <paramref name="directory"/>, writes and deletes a probe file in it, and checks that its drive has at
    /// least <paramref name="requiredBytes"/> free. Throws <see cref="IOException"/> with a message naming the directory.
    /// </summary>
    public static void EnsureWritable(string directory, long requiredBytes)
    {
        Probe(directory, $"Output directory '{directory}'", keepDirectory: true);
        long free = new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        if (free < requiredBytes)
        {
            throw new IOException($"Output directory '{directory}' has {free / 1e6:N0} MB free; the run needs at least {requiredBytes / 1e6:N0} MB for its checkpoints.");
        }
    }

    /// <summary>
    /// Checks that the folder <paramref name="directory"/> (the value of <paramref name="option"/>) exists or can be
    /// created, and that a file can be written in it; creates nothing that stays.
    /// </summary>
    /// <exception cref="IOException">It cannot; the message names the option, the folder and why.</exception>
    public static void EnsureFolderCanBeWritten(string option, string directory) =>
        Probe(directory, $"{option} '{directory}'", keepDirectory: false);

    /// <summary>
    /// Checks that the file <paramref name="path"/> (the value of <paramref name="option"/>) can be written: it is not
    /// a folder, and its folder exists or can be created and takes a new file (the atomic write's temporary sibling);
    /// creates nothing that stays.
    /// </summary>
    /// <exception cref="IOException">It cannot; the message names the option, the file and why.</exception>
    public static void EnsureFileCanBeWritten(string option, string path)
    {
        string what = $"{option} '{path}'";
        if (Directory.Exists(path))
        {
            throw new IOException($"{what} is not writable: it is a folder, not a file.");
        }
        Probe(Path.GetDirectoryName(Path.GetFullPath(path))!, what, keepDirectory: false);
    }

    /// <summary>Creates the missing folders of <paramref name="directory"/>, writes and deletes a probe file, and (unless kept) removes the folders it created.</summary>
    private static void Probe(string directory, string what, bool keepDirectory)
    {
        var missing = new List<string>();
        for (string? folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)); folder is not null && !Directory.Exists(folder);
            folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder))
            {
                throw new IOException($"{what} is not writable: '{folder}' is a file, not a folder.");
            }
            missing.Add(folder);
        }
        var created = new List<string>();
        bool passed = false;
        try
        {
            foreach (string folder in Enumerable.Reverse(missing))
            {
                Directory.CreateDirectory(folder);
                created.Add(folder);
            }
            string probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, new byte[4096]);
            File.Delete(probe);
            passed = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{what} is not writable: {e.Message}", e);
        }
        finally
        {
            if (!(passed && keepDirectory))
            {
                foreach (string folder in Enumerable.Reverse(created))
                {
                    Directory.Delete(folder);
                }
            }
        }
    }
}

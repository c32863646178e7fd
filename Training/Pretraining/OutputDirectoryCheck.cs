namespace MiniBioBert.Training.Pretraining;

/// <summary>Checks, before any training, that a run directory can be written and has room for checkpoints.</summary>
internal static class OutputDirectoryCheck
{
    /// <summary>
    /// Creates <paramref name="directory"/>, writes and deletes a probe file in it, and checks that its drive has at
    /// least <paramref name="requiredBytes"/> free. Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> with a message naming the directory.
    /// </summary>
    public static void EnsureWritable(string directory, long requiredBytes)
    {
        string probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(probe, new byte[4096]);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Output directory '{directory}' is not writable: {e.Message}", e);
        }
        long free = new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        if (free < requiredBytes)
        {
            throw new IOException($"Output directory '{directory}' has {free / 1e6:N0} MB free; the run needs at least {requiredBytes / 1e6:N0} MB for its checkpoints.");
        }
    }
}

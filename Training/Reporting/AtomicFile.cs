namespace MiniBioBert.Training.Reporting;

/// <summary>
/// Writes a file so that a reader (or a run killed mid-write) sees either the old or the complete new content:
/// write <c>path.tmp</c>, flush it to disk, then rename it over <c>path</c>.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Creates the directory if needed and replaces <paramref name="path"/> by what <paramref name="write"/> writes.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temporaryPath = fullPath + ".tmp";
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporaryPath);
            throw;
        }
    }

    /// <summary>Replaces <paramref name="path"/> by <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));
}

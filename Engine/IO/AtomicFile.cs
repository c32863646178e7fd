using System.Security.Cryptography;

namespace MiniBioBert.Engine.IO;

/// <summary>
/// Writes a file so that readers — or a run killed mid-write — see either the old contents or the complete new
/// ones, never a torn file: the bytes go to a temporary sibling, are flushed to disk, and the temporary file is
/// renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>Creates the directory if needed and replaces <paramref name="path"/> by what <paramref name="write"/> writes.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temporary = $"{fullPath}.tmp-{RandomSuffix()}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Replaces <paramref name="path"/> by <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>Eight random hex digits, to keep temporary names from colliding.</summary>
    public static string RandomSuffix() => Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
}

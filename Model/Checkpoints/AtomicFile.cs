using System.Security.Cryptography;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// Writes a file so that readers see either the old contents or the complete new ones, never a torn file:
/// the bytes go to a temporary sibling, are flushed to disk, and the temporary file is renamed over the target.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temporary = $"{path}.tmp-{RandomSuffix()}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Eight random hex digits, to keep temporary names from colliding.</summary>
    public static string RandomSuffix() => Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
}

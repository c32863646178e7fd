using System.Security.Cryptography;
using System.Text;

namespace MiniBioBert.Training.Data;

/// <summary>
/// Identifies the content of a list of corpus files: SHA-256 over each file's name, format, size and the
/// SHA-256 of its full content (≈ 1 GB/s, so tens of milliseconds for the shared corpora). The folder and the
/// modification time are left out on purpose: moving or touching an unchanged file keeps its cache valid.
/// </summary>
internal static class CorpusFingerprint
{
    /// <summary>The fingerprint (hex) of <paramref name="sources"/>; throws <see cref="FileNotFoundException"/> for a missing file.</summary>
    public static string Compute(IEnumerable<CorpusSource> sources)
    {
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources)
        {
            if (!File.Exists(source.Path))
            {
                throw new FileNotFoundException($"Corpus file not found: {source.Path}", source.Path);
            }
            using var stream = File.OpenRead(source.Path);
            var contentHash = Convert.ToHexString(SHA256.HashData(stream));
            all.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(source.Path)}|{source.Format}|{stream.Length}|{contentHash}\n"));
        }
        return Convert.ToHexString(all.GetHashAndReset());
    }
}

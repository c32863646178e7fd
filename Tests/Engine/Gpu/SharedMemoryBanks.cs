namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// A host-side model of a CUDA GPU's memory accesses, to count what one warp instruction costs.
/// <para>
/// Shared memory has 32 banks of 4-byte words: word w lies in bank w mod 32, and each bank delivers one word per
/// wavefront. A warp's access is served in phases — all 32 threads for 32-bit accesses, 8 threads (a quarter-warp)
/// for 128-bit ones, so that a phase moves at most 128 bytes — and a phase takes as many wavefronts as the most
/// distinct words any one bank must deliver (threads reading the same word share it: a broadcast). A conflict-free
/// warp access therefore takes one wavefront per phase: 1 for 32-bit accesses, 4 for 128-bit ones.
/// </para>
/// <para>
/// Global memory moves 32-byte sectors: an instruction costs the distinct sectors its threads touch.
/// </para>
/// </summary>
internal static class SharedMemoryBanks
{
    public const int Banks = 32;

    public const int WarpSize = 32;

    /// <summary>
    /// Wavefronts for one warp access in which thread t (t &lt; 32) touches the words
    /// firstWords[t] .. firstWords[t] + width − 1 (width 1: 32-bit accesses, 4: 128-bit).
    /// </summary>
    public static int Wavefronts(IReadOnlyList<int> firstWords, int width)
    {
        Assert.That(firstWords, Has.Count.EqualTo(WarpSize), "one warp");
        int phase = WarpSize / width;
        int wavefronts = 0;
        for (int start = 0; start < WarpSize; start += phase)
        {
            wavefronts += firstWords.Skip(start).Take(phase)
                .SelectMany(first => Enumerable.Range(first, width))
                .Distinct()
                .GroupBy(word => word % Banks)
                .Max(bank => bank.Count());
        }
        return wavefronts;
    }

    /// <summary>The distinct 32-byte sectors one warp touches when thread t reads <paramref name="bytes"/> bytes from firstBytes[t].</summary>
    public static int Sectors(IReadOnlyList<long> firstBytes, int bytes) =>
        firstBytes.SelectMany(first => Enumerable.Range(0, bytes).Select(b => (first + b) / 32)).Distinct().Count();
}

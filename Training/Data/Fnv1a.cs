namespace MiniBioBert.Training.Data;

/// <summary>
/// The 32-bit FNV-1a hash of a string's UTF-16 characters, defined once: it decides the HoC split bucket of a PMID
/// (<see cref="Downstream.HocReader.SplitBucket"/>) and the test suite's hashing tokenizer maps words with it.
/// </summary>
internal static class Fnv1a
{
    /// <summary>The 32-bit FNV offset basis.</summary>
    public const uint OffsetBasis = 2166136261;

    /// <summary>The 32-bit FNV prime.</summary>
    public const uint Prime = 16777619;

    /// <summary>hash = basis; for each character c: hash = (hash ^ c)·prime (mod 2³²).</summary>
    public static uint Hash(ReadOnlySpan<char> text)
    {
        uint hash = OffsetBasis;
        foreach (char c in text)
        {
            hash = (hash ^ c) * Prime;
        }
        return hash;
    }
}

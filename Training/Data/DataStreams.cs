namespace MiniBioBert.Training.Data;

/// <summary>The purposes of the random streams derived from the data seed (see <see cref="DeterministicRandom.Derive"/>).</summary>
internal static class DataStreams
{
    public const ulong HeldOutSplit = 1;
    public const ulong Instances = 2;
    public const ulong Shuffle = 3;
    public const ulong Masking = 4;
}

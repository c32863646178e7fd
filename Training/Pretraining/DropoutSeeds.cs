using MiniBioBert.Engine;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The dropout seed of each forward pass, a pure function of (run seed, step, micro-batch), so a resumed run draws
/// the same masks as an uninterrupted one.
/// </summary>
internal static class DropoutSeeds
{
    /// <summary>SplitMix64 of the three values mixed with distinct odd constants.</summary>
    public static ulong For(int seed, long step, int microBatch) =>
        SplitMix64.Hash(SplitMix64.Hash((ulong)seed * SplitMix64.Gamma ^ (ulong)step) ^ ((ulong)microBatch * SplitMix64.Multiplier1));
}

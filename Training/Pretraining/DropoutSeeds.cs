using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The dropout seed of each forward pass, a pure function of (run seed, step, micro-batch), so a resumed run draws
/// the same masks as an uninterrupted one.
/// </summary>
public static class DropoutSeeds
{
    /// <summary>SplitMix64 of the three values mixed with distinct odd constants.</summary>
    public static ulong For(int seed, long step, int microBatch) =>
        DropoutKernels.SplitMix64(DropoutKernels.SplitMix64((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)step) ^ ((ulong)microBatch * 0xBF58476D1CE4E5B9UL));
}

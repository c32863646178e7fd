using MiniBioBert.Engine;

namespace MiniBioBert.Training.Data;

/// <summary>
/// A small, explicit pseudo-random generator (<see cref="SplitMix64"/>, Steele et al. 2014) whose whole state is one
/// <see cref="ulong"/>: the same seed gives the same numbers on every machine and .NET version, and
/// <see cref="State"/> can be saved and restored to resume a stream exactly.
/// </summary>
internal struct DeterministicRandom
{
    private const ulong GoldenGamma2 = unchecked(2 * SplitMix64.Gamma);
    private const ulong GoldenGamma3 = unchecked(3 * SplitMix64.Gamma);

    /// <summary>Starts the stream at <paramref name="state"/> (a seed, or a saved <see cref="State"/>).</summary>
    public DeterministicRandom(ulong state) => State = state;

    /// <summary>The whole generator state; a generator built from it continues the same stream.</summary>
    public ulong State { get; private set; }

    /// <summary>
    /// A generator for one named purpose, derived from a seed and up to two indices (e.g. epoch, instance),
    /// so that independent streams never overlap in practice and any one of them can be re-created alone.
    /// </summary>
    public static DeterministicRandom Derive(ulong seed, ulong purpose, long index1 = 0, long index2 = 0)
    {
        var state = SplitMix64.Mix(seed ^ SplitMix64.Mix(purpose + SplitMix64.Gamma));
        state = SplitMix64.Mix(state ^ SplitMix64.Mix(unchecked((ulong)index1 + GoldenGamma2)));
        state = SplitMix64.Mix(state ^ SplitMix64.Mix(unchecked((ulong)index2 + GoldenGamma3)));
        return new DeterministicRandom(state);
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        State += SplitMix64.Gamma;
        return SplitMix64.Mix(State);
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        var bound = (ulong)exclusiveMax;
        var product = (UInt128)NextUInt64() * bound;
        var low = (ulong)product;
        if (low < bound)
        {
            var threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                product = (UInt128)NextUInt64() * bound;
                low = (ulong)product;
            }
        }
        return (int)(product >> 64);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="inclusiveMax"/>].</summary>
    public int NextInt(int min, int inclusiveMax) => min + NextInt(inclusiveMax - min + 1);

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool NextBool(double probability) => NextDouble() < probability;

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

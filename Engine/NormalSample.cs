namespace MiniBioBert.Engine;

/// <summary>The one standard normal sampler of the code base (weight initialisation, test data).</summary>
public static class NormalSample
{
    /// <summary>
    /// A standard normal sample by Box–Muller: √(−2·ln(1 − u₁))·cos(2π·u₂), drawing u₁ then u₂ from
    /// <paramref name="random"/> (the order every seeded initialization depends on).
    /// </summary>
    public static double Next(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

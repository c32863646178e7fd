namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The normal distribution's CDF Φ(x) and density φ(x), which exact (erf) GELU needs:
/// GELU(x) = x·Φ(x), GELU'(x) = Φ(x) + x·φ(x).
/// </summary>
public static class GaussianFunctions
{
    private const double InverseSqrt2 = 0.70710678118654752440;
    private const double InverseSqrt2Pi = 0.39894228040143267794;

    /// <summary>Φ(x) = ½·erfc(−x/√2), accurate in both tails (relative error below 2e-7).</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x * InverseSqrt2);

    /// <summary>φ(x) = exp(−x²/2)/√(2π).</summary>
    public static double Pdf(double x) => InverseSqrt2Pi * Math.Exp(-0.5 * x * x);

    /// <summary>
    /// The complementary error function, from the Chebyshev fit of erfc(z)·exp(z²) in t = 1/(1 + z/2)
    /// (Numerical Recipes' erfcc): fractional error below 1.2e-7 for every z, so small tails stay accurate.
    /// </summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double polynomial = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double result = t * Math.Exp(-z * z + polynomial);
        return x >= 0 ? result : 2.0 - result;
    }
}

using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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

    /// <summary>Φ for a span in float32: cdf[i] = Φ(x[i]) (SIMD, same erfc fit as <see cref="Erfc"/>).</summary>
    public static void Cdf(ReadOnlySpan<float> x, Span<float> cdf)
    {
        int i = 0;
        for (; Vector256.IsHardwareAccelerated && i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Cdf(Vector256.Create(x.Slice(i, Vector256<float>.Count))).CopyTo(cdf.Slice(i));
        }
        for (; i < x.Length; i++)
        {
            cdf[i] = Cdf(x[i]);
        }
    }

    /// <summary>φ for a span: pdf[i] = exp(−x[i]²/2)/√(2π).</summary>
    public static void Pdf(ReadOnlySpan<float> x, Span<float> pdf)
    {
        TensorPrimitives.Multiply(x, x, pdf);
        TensorPrimitives.Multiply(pdf, -0.5f, pdf);
        TensorPrimitives.Exp(pdf, pdf);
        TensorPrimitives.Multiply(pdf, (float)InverseSqrt2Pi, pdf);
    }

    /// <summary>
    /// Φ(x) in float32 for eight lanes. With z = |x|/√2 and t = 1/(1 + z/2), erfc(z) = t·exp(−z² + P(t)), and
    /// Φ(x) = ½·erfc(z) for x &lt; 0, 1 − ½·erfc(z) otherwise.
    /// </summary>
    public static Vector256<float> Cdf(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * (float)InverseSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + z * 0.5f);
        var halfErfc = t * Vector256.Exp(ErfcPolynomial(t) - z * z) * 0.5f;
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), halfErfc, Vector256<float>.One - halfErfc);
    }

    /// <summary>φ(x) in float32 for eight lanes.</summary>
    public static Vector256<float> Pdf(Vector256<float> x) => Vector256.Exp(x * x * -0.5f) * (float)InverseSqrt2Pi;

    /// <summary>Φ(x) in float32 (the scalar twin of the SIMD version, for the tail of a span).</summary>
    public static float Cdf(float x)
    {
        float z = MathF.Abs(x) * (float)InverseSqrt2;
        float t = 1f / (1f + 0.5f * z);
        float halfErfc = 0.5f * t * MathF.Exp(ErfcPolynomial(t) - z * z);
        return x < 0 ? halfErfc : 1f - halfErfc;
    }

    /// <summary>φ(x) in float32.</summary>
    public static float Pdf(float x) => (float)InverseSqrt2Pi * MathF.Exp(-0.5f * x * x);

    private static Vector256<float> ErfcPolynomial(Vector256<float> t) =>
        Vector256.Create(-1.26551223f) + t * (Vector256.Create(1.00002368f) + t * (Vector256.Create(0.37409196f) + t * (Vector256.Create(0.09678418f)
        + t * (Vector256.Create(-0.18628806f) + t * (Vector256.Create(0.27886807f) + t * (Vector256.Create(-1.13520398f)
        + t * (Vector256.Create(1.48851587f) + t * (Vector256.Create(-0.82215223f) + t * 0.17087277f))))))));

    private static float ErfcPolynomial(float t) =>
        -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
        + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
}

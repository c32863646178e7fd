using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The normal distribution's CDF Φ(x) and density φ(x), which exact (erf) GELU needs:
/// GELU(x) = x·Φ(x), GELU'(x) = Φ(x) + x·φ(x).
/// </summary>
internal static class GaussianFunctions
{
    /// <summary>1/√2.</summary>
    public const double InverseSqrt2 = 0.70710678118654752440;

    /// <summary>1/√(2π).</summary>
    public const double InverseSqrt2Pi = 0.39894228040143267794;

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
        double result = t * Math.Exp(-z * z + ErfcPolynomial(t));
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Cdf(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * (float)InverseSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + z * 0.5f);
        var halfErfc = t * VectorExp.Exp(ErfcPolynomial(t) - z * z) * 0.5f;
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), halfErfc, Vector256<float>.One - halfErfc);
    }

    /// <summary>φ(x) in float32 for eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Pdf(Vector256<float> x) => VectorExp.Exp(x * x * -0.5f) * (float)InverseSqrt2Pi;

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

    // The coefficients of P(t) in erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), lowest power first: the one copy.
    // The float versions round them to float once, at compile time ((float)C0 is exactly the literal -1.26551223f).
    private const double C0 = -1.26551223, C1 = 1.00002368, C2 = 0.37409196, C3 = 0.09678418, C4 = -0.18628806,
        C5 = 0.27886807, C6 = -1.13520398, C7 = 1.48851587, C8 = -0.82215223, C9 = 0.17087277;

    /// <summary>C0 … C9, lowest power first (the error bounds of the tests weigh the float evaluations' roundings with them).</summary>
    internal static ReadOnlySpan<double> ErfcPolynomialCoefficients => [C0, C1, C2, C3, C4, C5, C6, C7, C8, C9];

    private static double ErfcPolynomial(double t)
    {
        var coefficients = ErfcPolynomialCoefficients;
        double p = coefficients[^1];
        for (int i = coefficients.Length - 2; i >= 0; i--)
        {
            p = coefficients[i] + t * p;
        }
        return p;
    }

    /// <summary>
    /// P(t) in float32. Plain float arithmetic only, so the ILGPU kernels (<see cref="Gpu.GpuActivations"/>) call this
    /// same method: CPU and GPU GELU share one erfc fit.
    /// </summary>
    public static float ErfcPolynomial(float t) =>
        (float)C0 + t * ((float)C1 + t * ((float)C2 + t * ((float)C3 + t * ((float)C4
        + t * ((float)C5 + t * ((float)C6 + t * ((float)C7 + t * ((float)C8 + t * (float)C9))))))));

    /// <summary>
    /// P(t) for eight lanes, by Horner's rule with fused multiply-adds: one rounding per step where the scalar twin
    /// has two, so its error bound is no larger than the scalar's (and 9 instructions instead of 18).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ErfcPolynomial(Vector256<float> t)
    {
        var p = VectorExp.MultiplyAdd(Vector256.Create((float)C9), t, Vector256.Create((float)C8));
        p = VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C7));
        p = VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C6));
        p = VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C5));
        p = VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C4));
        p = VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C3));
        p = VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C2));
        p = VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C1));
        return VectorExp.MultiplyAdd(p, t, Vector256.Create((float)C0));
    }
}

using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

public class GaussianFunctionsTests
{
    /// <summary>
    /// The float32 SIMD Φ (used by GELU) against the double-precision reference on [−9, 9], odd length so the
    /// scalar tail runs too. Both use the same erfc fit, so they differ by float32 rounding only: ≈ 2e-6 relative
    /// from the polynomial and exp, plus the rounding of the exponent −x²/2 (absolute ε·x²/2, relative after exp),
    /// so we require relative error ≤ 2e-6 + 1.2e-7·x² — in the tails as well.
    /// </summary>
    [Test]
    public void SimdCdfMatchesDoubleReference()
    {
        const int Count = 1801;
        var x = Enumerable.Range(0, Count).Select(i => -9f + 18f * i / (Count - 1)).ToArray();
        var cdf = new float[Count];
        var pdf = new float[Count];
        GaussianFunctions.Cdf(x, cdf);
        GaussianFunctions.Pdf(x, pdf);
        for (int i = 0; i < Count; i++)
        {
            double expectedCdf = GaussianFunctions.Cdf((double)x[i]);
            double expectedPdf = GaussianFunctions.Pdf((double)x[i]);
            double relative = 2e-6 + 1.2e-7 * x[i] * x[i];
            Assert.That(Math.Abs(cdf[i] - expectedCdf), Is.LessThanOrEqualTo(relative * expectedCdf), $"Φ({x[i]})");
            Assert.That(Math.Abs(pdf[i] - expectedPdf), Is.LessThanOrEqualTo(relative * expectedPdf), $"φ({x[i]})");
        }
    }

    [TestCase(0.0, 0.5)]
    [TestCase(1.0, 0.8413447460685429)]
    [TestCase(-3.0, 0.0013498980316301)]
    [TestCase(-6.0, 9.865876450377e-10)]
    public void ReferenceCdfKnownValues(double x, double expected) =>
        Assert.That(GaussianFunctions.Cdf(x), Is.EqualTo(expected).Within(2e-7 * expected));
}

using System.Runtime.Intrinsics;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

/// <summary>
/// <see cref="VectorExp"/> against e^x in double precision: under 1 ulp (2⁻²³ relative) wherever e^x is a normal float,
/// correctly scaled subnormals (within one subnormal step plus the same relative error) below, 0 and +∞ at the ends,
/// NaN kept.
/// </summary>
public class VectorExpTests
{
    /// <summary>1 ulp of a float relative to its value: 2⁻²³.</summary>
    private const double OneUlp = 1.1920928955078125e-7;

    /// <summary>The smallest positive subnormal float, 2⁻¹⁴⁹: the spacing of the subnormals.</summary>
    private const double SubnormalStep = 1.4012984643248171e-45;

    [Test]
    public void WithinOneUlpOverTheWholeRange()
    {
        var random = new Random(5);
        double worst = 0;
        for (int i = 0; i < 400_000; i++)
        {
            float x = -104f + 193f * random.NextSingle();
            double expected = Math.Exp(x);
            double actual = VectorExp.Exp(Vector256.Create(x)).GetElement(0);
            if (expected > float.MaxValue)
            {
                Assert.That(actual, Is.EqualTo(double.PositiveInfinity), $"e^{x:R}");
                continue;
            }
            double error = Math.Abs(actual - expected);
            if (expected >= 1.1754943508222875e-38)
            {
                worst = Math.Max(worst, error / expected);
                Assert.That(error, Is.LessThanOrEqualTo(OneUlp * expected), $"e^{x:R}");
            }
            else
            {
                Assert.That(error, Is.LessThanOrEqualTo(SubnormalStep + OneUlp * expected), $"e^{x:R} (subnormal)");
            }
        }
        TestContext.Out.WriteLine($"worst relative error where e^x is normal: {worst:E2} (bound {OneUlp:E2})");
    }

    [Test]
    public void TheEndsAndNaN()
    {
        var x = Vector256.Create(float.NegativeInfinity, -200f, 0f, 1f, 88.72f, 89.5f, float.PositiveInfinity, float.NaN);

        var y = VectorExp.Exp(x);

        Assert.That(y.GetElement(0), Is.Zero);
        Assert.That(y.GetElement(1), Is.Zero);
        Assert.That(y.GetElement(2), Is.EqualTo(1f));
        Assert.That(y.GetElement(3), Is.EqualTo(MathF.E).Within(2).Ulps);
        Assert.That(float.IsFinite(y.GetElement(4)), Is.True, "e^88.72 is below the largest float");
        Assert.That(y.GetElement(5), Is.EqualTo(float.PositiveInfinity));
        Assert.That(y.GetElement(6), Is.EqualTo(float.PositiveInfinity));
        Assert.That(float.IsNaN(y.GetElement(7)), Is.True);
    }
}

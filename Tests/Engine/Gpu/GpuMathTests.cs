using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// The GPU kernels' float formulas (<see cref="GpuMath"/>), tested as formulas on the CPU: what ILGPU's PTX backend
/// would emit for XMath.Tanh and XMath.Max (an approximate tanh, a NaN-dropping max) cannot be seen on the CPU
/// accelerator, so the kernels avoid them and these tests hold the replacements.
/// </summary>
public class GpuMathTests
{
    private const double U = 1.0 / (1 << 24);

    [Test]
    public void MaxPropagatesNaN()
    {
        Assert.That(GpuMath.Max(1f, 2f), Is.EqualTo(2f));
        Assert.That(GpuMath.Max(3f, -2f), Is.EqualTo(3f));
        Assert.That(GpuMath.Max(float.NegativeInfinity, -5f), Is.EqualTo(-5f));
        Assert.That(float.IsNaN(GpuMath.Max(float.NaN, 1f)), Is.True);
        Assert.That(float.IsNaN(GpuMath.Max(1f, float.NaN)), Is.True);
        Assert.That(float.IsNaN(GpuMath.Max(float.NegativeInfinity, float.NaN)), Is.True);
    }

    /// <summary>
    /// t = exp(−2|x|) within 1 ulp (≤ 2u relative, ≤ 2u absolute as t ≤ 1); 1 − t and 1 + t each one rounding, the
    /// quotient one more: |error| ≤ 2u·(1 + |y|) + 2u·|y| + u·|y| ≤ 2u + 5u·|y| ≤ 7u. Held with a margin: 8u absolute,
    /// against ≈ 2⁻¹¹ = 2,000u for tanh.approx.f32.
    /// </summary>
    [Test]
    public void TanhIsWithinAFewRoundingsOfExact()
    {
        for (double x = -12; x <= 12; x += 0.0037)
        {
            double expected = Math.Tanh((float)x);
            Assert.That(GpuMath.Tanh((float)x), Is.EqualTo(expected).Within(8 * U), $"tanh({(float)x})");
        }
        Assert.That(GpuMath.Tanh(0f), Is.EqualTo(0f));
        Assert.That(GpuMath.Tanh(100f), Is.EqualTo(1f));
        Assert.That(GpuMath.Tanh(-100f), Is.EqualTo(-1f));
        Assert.That(float.IsNaN(GpuMath.Tanh(float.NaN)), Is.True);
    }
}

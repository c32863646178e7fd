using ILGPU.Algorithms;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Float functions for the GPU kernels, written so that what the PTX backend emits is exact enough and propagates NaN:
/// on sm_75 and later ILGPU.Algorithms turns <c>XMath.Tanh(float)</c> into <c>tanh.approx.f32</c> (≈ 2⁻¹¹ relative,
/// which would miss the pooler's 1e-5 parity) and <c>XMath.Max(float, float)</c> into <c>max.f32</c>, which returns
/// the other operand when one is NaN (a NaN logit would vanish from a row maximum). The CPU accelerator hides both:
/// these formulas are tested as formulas (<c>GpuMathTests</c>), on the CPU.
/// </summary>
internal static class GpuMath
{
    /// <summary>The larger of <paramref name="a"/> and <paramref name="b"/>, NaN when either is NaN.</summary>
    public static float Max(float a, float b) => a > b || XMath.IsNaN(a) ? a : b;

    /// <summary>
    /// tanh(x) = sign(x)·(1 − t)/(1 + t) with t = exp(−2|x|) ≤ 1, so nothing overflows: within a few float roundings of
    /// exact in absolute terms (t carries exp's rounding; 1 − t adds one), NaN for NaN.
    /// </summary>
    public static float Tanh(float x)
    {
        float t = XMath.Exp(-2f * XMath.Abs(x));
        float magnitude = (1f - t) / (1f + t);
        return x < 0f ? -magnitude : magnitude;
    }
}

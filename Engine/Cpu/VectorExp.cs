using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// exp(x) on eight floats for the CPU kernels that spend their time in it (GELU and cross-entropy). .NET's
/// <c>Vector256.Exp</c> works in double precision inside; this float version does about half the work for an error
/// under 1 ulp (2⁻²³ relative; 7.5e-8 at worst measured with FMA, tested against double precision over the whole range).
/// <para>
/// Method: x = k·ln2 + r with k = round(x/ln2) and |r| ≤ ln2/2, the product k·ln2 taken in two parts (Cody and Waite)
/// so that r is exact to float rounding; exp(r) from its Taylor polynomial to r⁷ (truncation below 7e-9); then
/// exp(x) = exp(r)·2^⌊k/2⌋·2^(k−⌊k/2⌋), two powers of two so that k from −150 to 128 needs no special case:
/// results below the smallest normal float come out as the correctly scaled subnormals or zero, and those above the
/// largest as +∞. NaN stays NaN.
/// </para>
/// </summary>
internal static class VectorExp
{
    /// <summary>e^x for each lane (inlined into the callers' loops: a call would pass the vectors through memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // Beyond these, e^x is 0 or +∞ in float; clamping keeps k within what the two powers of two can hold.
        var clamped = Vector256.Min(Vector256.Max(x, Vector256.Create(-104f)), Vector256.Create(89f));
        var k = Vector256.Round(clamped * Log2E);
        var r = MultiplyAdd(k, Vector256.Create(-Ln2High), clamped);
        r = MultiplyAdd(k, Vector256.Create(-Ln2Low), r);

        // exp(r) = 1 + r + r²/2! + … + r⁷/7!, by Horner's rule.
        var p = Vector256.Create(1f / 5040);
        p = MultiplyAdd(p, r, Vector256.Create(1f / 720));
        p = MultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = MultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = MultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = MultiplyAdd(p, r, Vector256.Create(0.5f));
        p = MultiplyAdd(p, r, Vector256<float>.One);
        p = MultiplyAdd(p, r, Vector256<float>.One);

        // 2^k as two normal powers of two: the exponent field of each is its power + 127.
        var exponent = Vector256.ConvertToInt32(k);
        var half = Vector256.ShiftRightArithmetic(exponent, 1);
        var bias = Vector256.Create(127);
        var result = p * Vector256.ShiftLeft(half + bias, 23).AsSingle() * Vector256.ShiftLeft(exponent - half + bias, 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    /// <summary>a·b + c, fused (one rounding) where the machine has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>1/ln 2.</summary>
    private const float Log2E = 1.44269504088896341f;

    /// <summary>ln 2 in two parts: the high part has 15 significant bits, so k·Ln2High is exact for |k| &lt; 2⁹ even without FMA.</summary>
    private const float Ln2High = 0.693145751953125f;

    private const float Ln2Low = 1.428606765330187045e-06f;
}

using System.Runtime.Intrinsics;

namespace MiniBioBert.Engine;

/// <summary>
/// The SplitMix64 constants and mixing function (Steele, Lea and Flood 2014), defined once for every counter-based
/// random stream in the code base: dropout masks (CPU <see cref="Cpu.DropoutKernels"/> and the ILGPU kernel, which calls
/// <see cref="Hash(ulong)"/> itself), dropout seeds and the data pipeline's generator. Integer arithmetic only, so
/// GPU kernels can call it.
/// </summary>
public static class SplitMix64
{
    /// <summary>The golden-ratio increment 2⁶⁴/φ (odd), added to the state before each mix.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The first multiplier of the mix (odd; also used as a second distinct odd constant when seeding).</summary>
    public const ulong Multiplier1 = 0xBF58476D1CE4E5B9UL;

    /// <summary>The second multiplier of the mix.</summary>
    public const ulong Multiplier2 = 0x94D049BB133111EBUL;

    /// <summary>The finaliser alone: a bijective, well-mixed 64-bit hash of <paramref name="z"/>.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * Multiplier1;
        z = (z ^ (z >> 27)) * Multiplier2;
        return z ^ (z >> 31);
    }

    /// <summary>One SplitMix64 step on a counter: <see cref="Mix"/>(value + <see cref="Gamma"/>).</summary>
    public static ulong Hash(ulong value) => Mix(value + Gamma);

    /// <summary><see cref="Hash(ulong)"/> on four counters at once (the same constants, lane by lane).</summary>
    public static Vector256<ulong> Hash(Vector256<ulong> value)
    {
        value += Vector256.Create(Gamma);
        value = (value ^ Vector256.ShiftRightLogical(value, 30)) * Vector256.Create(Multiplier1);
        value = (value ^ Vector256.ShiftRightLogical(value, 27)) * Vector256.Create(Multiplier2);
        return value ^ Vector256.ShiftRightLogical(value, 31);
    }
}

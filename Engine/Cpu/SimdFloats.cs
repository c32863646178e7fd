using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The handful of float-vector operations the GEMM micro-kernel needs, for one vector width. Implemented by structs,
/// so that a method generic over them is compiled once per width with these calls inlined: one kernel, two widths.
/// </summary>
/// <typeparam name="TVector"><c>Vector256&lt;float&gt;</c> or <c>Vector512&lt;float&gt;</c>.</typeparam>
internal unsafe interface ISimdFloats<TVector> where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Loads Count floats from a vector-aligned address.</summary>
    static abstract TVector LoadAligned(float* source);

    /// <summary>Loads Count floats from any address.</summary>
    static abstract TVector Load(float* source);

    /// <summary>Count copies of <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary>a · b + c, rounded once (fused multiply-add).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>a · b, element by element.</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>Stores Count floats at any address.</summary>
    static abstract void Store(TVector value, float* destination);
}

/// <summary>8 floats per vector: AVX2 + FMA.</summary>
internal readonly unsafe struct Avx2Floats : ISimdFloats<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadAligned(float* source) => Avx.LoadAlignedVector256(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, float* destination) => Vector256.Store(value, destination);
}

/// <summary>16 floats per vector: AVX-512F.</summary>
internal readonly unsafe struct Avx512Floats : ISimdFloats<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadAligned(float* source) => Avx512F.LoadAlignedVector512(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, float* destination) => Vector512.Store(value, destination);
}

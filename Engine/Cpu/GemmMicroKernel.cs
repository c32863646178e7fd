using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static MiniBioBert.Engine.Cpu.GemmBlocking;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Which instructions the micro-kernel uses. All three compute the same MR × NR tile from the same packed strips.</summary>
public enum GemmKernelKind
{
    /// <summary>Scalar arithmetic: any machine.</summary>
    Portable,

    /// <summary><c>Vector256&lt;float&gt;</c> fused multiply-adds (AVX2 + FMA).</summary>
    Avx2,

    /// <summary><c>Vector512&lt;float&gt;</c> fused multiply-adds (AVX-512F): twice the floats per instruction.</summary>
    Avx512,
}

/// <summary>
/// Computes one MR × NR tile of C from a packed A strip (kc × MR) and a packed B strip (kc × NR):
/// <c>C[0..MR, 0..NR] = alpha · Σₚ a[p, :]ᵀ b[p, :] + beta · C</c>. C is read only when beta ≠ 0.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>The fastest kernel this machine runs.</summary>
    public static GemmKernelKind Best { get; } = Avx512F.IsSupported ? GemmKernelKind.Avx512
        : Fma.IsSupported && Avx.IsSupported ? GemmKernelKind.Avx2
        : GemmKernelKind.Portable;

    /// <summary>True when this machine can run <paramref name="kind"/>.</summary>
    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => Avx512F.IsSupported,
        GemmKernelKind.Avx2 => Fma.IsSupported && Avx.IsSupported,
        _ => true,
    };

    /// <summary>
    /// One full tile, or a partial one at the matrix edge (<paramref name="rows"/> &lt; MR or <paramref name="cols"/> &lt; NR):
    /// then the kernel writes into a scratch tile first and only the existing part is copied to C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(GemmKernelKind kind, int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        if (rows == MR && cols == NR)
        {
            Full(kind, kc, a, b, c, ldc, alpha, beta);
        }
        else
        {
            Edge(kind, kc, a, b, c, ldc, rows, cols, alpha, beta);
        }
    }

    private static void Edge(GemmKernelKind kind, int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        float* scratch = stackalloc float[MR * NR];
        Full(kind, kc, a, b, scratch, NR, 1f, 0f);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                float product = alpha * scratch[i * NR + j];
                c[i * ldc + j] = beta == 0f ? product : product + beta * c[i * ldc + j];
            }
        }
    }

    private static void Full(GemmKernelKind kind, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        switch (kind)
        {
            case GemmKernelKind.Avx512:
                // The 6 × 32 tile in one block of 2 Vector512 per row.
                SimdBlock<Avx512Floats, Vector512<float>>(kc, a, b, c, ldc, alpha, beta);
                break;
            case GemmKernelKind.Avx2:
                // The 6 × 32 tile as two 6 × 16 blocks of 2 Vector256 per row: the left 16 columns of every B row, then the right 16.
                SimdBlock<Avx2Floats, Vector256<float>>(kc, a, b, c, ldc, alpha, beta);
                SimdBlock<Avx2Floats, Vector256<float>>(kc, a, b + NR / 2, c + NR / 2, ldc, alpha, beta);
                break;
            default:
                Portable(kc, a, b, c, ldc, alpha, beta);
                break;
        }
    }

    /// <summary>Asks for the MR rows of the C tile now, so that the stores at the end do not wait for memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, int ldc, int columns)
    {
        for (int i = 0; i < MR; i++)
        {
            Sse.Prefetch0(c + i * ldc);
            Sse.Prefetch0(c + i * ldc + columns - 1);
        }
    }

    /// <summary>
    /// The SIMD kernel on 2·W columns of the tile, W = <typeparamref name="TFloats"/>'s vector width (16 for AVX-512,
    /// 8 for AVX2): 12 vector accumulators hold the 6 × 2W block; each step of k loads 2W values of the B row (2
    /// vectors), broadcasts each of the 6 values of A and issues 12 fused multiply-adds, two steps per loop iteration.
    /// <paramref name="b"/> points at the block's first column; B rows are NR apart. With 12 accumulators + 2 B vectors
    /// + 1 A broadcast the block fits AVX2's 16 registers. The generic arguments are structs, so the JIT compiles one
    /// specialised copy per width, with every vector operation inlined. The kernel itself is inlined into its caller:
    /// a loop of kernel calls measured ~98% of one core's FMA peak inlined, ~85% as a call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private static void SimdBlock<TFloats, TVector>(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        where TFloats : ISimdFloats<TVector>
        where TVector : struct
    {
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVector c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchTile(c, ldc, 2 * TFloats.Count);
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            Step<TFloats, TVector>(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step<TFloats, TVector>(a + MR, b + NR, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            a += 2 * MR;
            b += 2 * NR;
        }
        if (p < kc)
        {
            Step<TFloats, TVector>(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }
        bool readC = beta != 0f;
        StoreRow<TFloats, TVector>(c, c00, c01, alpha, beta, readC);
        StoreRow<TFloats, TVector>(c + ldc, c10, c11, alpha, beta, readC);
        StoreRow<TFloats, TVector>(c + 2 * ldc, c20, c21, alpha, beta, readC);
        StoreRow<TFloats, TVector>(c + 3 * ldc, c30, c31, alpha, beta, readC);
        StoreRow<TFloats, TVector>(c + 4 * ldc, c40, c41, alpha, beta, readC);
        StoreRow<TFloats, TVector>(c + 5 * ldc, c50, c51, alpha, beta, readC);
    }

    /// <summary>One step of k: c[i, :] += a[i] · b[:] for the 6 rows i, 2 vectors each (inlined, so the accumulators stay in registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TFloats, TVector>(float* a, float* b,
        ref TVector c00, ref TVector c01, ref TVector c10, ref TVector c11, ref TVector c20, ref TVector c21,
        ref TVector c30, ref TVector c31, ref TVector c40, ref TVector c41, ref TVector c50, ref TVector c51)
        where TFloats : ISimdFloats<TVector>
        where TVector : struct
    {
        TVector b0 = TFloats.LoadAligned(b);
        TVector b1 = TFloats.LoadAligned(b + TFloats.Count);
        TVector ai = TFloats.Broadcast(a[0]);
        c00 = TFloats.MultiplyAdd(ai, b0, c00);
        c01 = TFloats.MultiplyAdd(ai, b1, c01);
        ai = TFloats.Broadcast(a[1]);
        c10 = TFloats.MultiplyAdd(ai, b0, c10);
        c11 = TFloats.MultiplyAdd(ai, b1, c11);
        ai = TFloats.Broadcast(a[2]);
        c20 = TFloats.MultiplyAdd(ai, b0, c20);
        c21 = TFloats.MultiplyAdd(ai, b1, c21);
        ai = TFloats.Broadcast(a[3]);
        c30 = TFloats.MultiplyAdd(ai, b0, c30);
        c31 = TFloats.MultiplyAdd(ai, b1, c31);
        ai = TFloats.Broadcast(a[4]);
        c40 = TFloats.MultiplyAdd(ai, b0, c40);
        c41 = TFloats.MultiplyAdd(ai, b1, c41);
        ai = TFloats.Broadcast(a[5]);
        c50 = TFloats.MultiplyAdd(ai, b0, c50);
        c51 = TFloats.MultiplyAdd(ai, b1, c51);
    }

    /// <summary>row[0 .. 2W] = alpha · (left, right) + beta · row (row not read when beta is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TFloats, TVector>(float* row, TVector left, TVector right, float alpha, float beta, bool readC)
        where TFloats : ISimdFloats<TVector>
        where TVector : struct
    {
        TVector alphas = TFloats.Broadcast(alpha);
        if (readC)
        {
            TVector betas = TFloats.Broadcast(beta);
            left = TFloats.MultiplyAdd(left, alphas, TFloats.Multiply(betas, TFloats.Load(row)));
            right = TFloats.MultiplyAdd(right, alphas, TFloats.Multiply(betas, TFloats.Load(row + TFloats.Count)));
        }
        else
        {
            left = TFloats.Multiply(left, alphas);
            right = TFloats.Multiply(right, alphas);
        }
        TFloats.Store(left, row);
        TFloats.Store(right, row + TFloats.Count);
    }

    /// <summary>The same tile with scalar arithmetic, for machines without AVX2 + FMA.</summary>
    private static void Portable(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        float* sum = stackalloc float[MR * NR];
        new Span<float>(sum, MR * NR).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < MR; i++)
            {
                float ai = a[p * MR + i];
                for (int j = 0; j < NR; j++)
                {
                    sum[i * NR + j] += ai * b[p * NR + j];
                }
            }
        }
        for (int i = 0; i < MR; i++)
        {
            for (int j = 0; j < NR; j++)
            {
                float product = alpha * sum[i * NR + j];
                c[i * ldc + j] = beta == 0f ? product : product + beta * c[i * ldc + j];
            }
        }
    }
}

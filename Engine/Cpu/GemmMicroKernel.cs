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
/// <c>C[0..MR, 0..NR] = alpha · Σₚ a[p, :]ᵀ b[p, :] + beta · C</c>. C is read only when beta ≠ 0. With a column bias
/// (the last k slice of a product with a bias epilogue), <c>bias[j]</c> is then added to every row of column j, rounded as
/// a separate addition: the result is the bits of the product followed by a pass that adds the bias.
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
    /// <paramref name="bias"/>: the tile's first column of the bias, or null for none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(GemmKernelKind kind, int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta,
        float* bias = null)
    {
        if (rows == MR && cols == NR)
        {
            Full(kind, kc, a, b, c, ldc, alpha, beta, bias);
        }
        else
        {
            Edge(kind, kc, a, b, c, ldc, rows, cols, alpha, beta, bias);
        }
    }

    private static void Edge(GemmKernelKind kind, int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta,
        float* bias)
    {
        float* scratch = stackalloc float[MR * NR];
        if (kind == GemmKernelKind.Avx2 && cols <= NR / 2)
        {
            // Only the left half of the tile exists: computing the right 16 columns would double the cost for nothing.
            Avx2HalfTile(kc, a, b, scratch, NR, 1f, 0f, null);
        }
        else
        {
            Full(kind, kc, a, b, scratch, NR, 1f, 0f, null);
        }
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                float product = alpha * scratch[i * NR + j];
                float value = beta == 0f ? product : product + beta * c[i * ldc + j];
                c[i * ldc + j] = bias == null ? value : value + bias[j];
            }
        }
    }

    private static void Full(GemmKernelKind kind, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        switch (kind)
        {
            case GemmKernelKind.Avx512:
                Avx512Tile(kc, a, b, c, ldc, alpha, beta, bias);
                break;
            case GemmKernelKind.Avx2:
                // The 6 × 32 tile as two 6 × 16 halves: the left 16 columns of every B row, then the right 16.
                Avx2HalfTile(kc, a, b, c, ldc, alpha, beta, bias);
                Avx2HalfTile(kc, a, b + NR / 2, c + NR / 2, ldc, alpha, beta, bias == null ? null : bias + NR / 2);
                break;
            default:
                Portable(kc, a, b, c, ldc, alpha, beta, bias);
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
    /// The AVX-512 kernel: 12 <c>Vector512&lt;float&gt;</c> accumulators hold the 6 × 32 tile; each step of k loads one
    /// row of B (2 vectors), broadcasts each of the 6 values of A and issues 12 fused multiply-adds, two steps per
    /// loop iteration. Inlined into its caller, like the AVX2 kernel below. The two kernels have the same shape but are
    /// written out apart: one generic body over both vector types (a struct supplying load, broadcast and FMA) made
    /// the AVX2 train step 1.8–2.6× slower (measured; see docs/benchmarks.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private static void Avx512Tile(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchTile(c, ldc, NR);
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            Step512(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step512(a + MR, b + NR, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            a += 2 * MR;
            b += 2 * NR;
        }
        if (p < kc)
        {
            Step512(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }
        var store = new Store512(alpha, beta, bias);
        store.Row(c, c00, c01);
        store.Row(c + ldc, c10, c11);
        store.Row(c + 2 * ldc, c20, c21);
        store.Row(c + 3 * ldc, c30, c31);
        store.Row(c + 4 * ldc, c40, c41);
        store.Row(c + 5 * ldc, c50, c51);
    }

    /// <summary>One step of k: c[i, :] += a[i] · b[:] for the 6 rows i, 32 columns each (2 vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step512(float* a, float* b,
        ref Vector512<float> c00, ref Vector512<float> c01, ref Vector512<float> c10, ref Vector512<float> c11,
        ref Vector512<float> c20, ref Vector512<float> c21, ref Vector512<float> c30, ref Vector512<float> c31,
        ref Vector512<float> c40, ref Vector512<float> c41, ref Vector512<float> c50, ref Vector512<float> c51)
    {
        Vector512<float> b0 = Avx512F.LoadAlignedVector512(b);
        Vector512<float> b1 = Avx512F.LoadAlignedVector512(b + 16);
        Vector512<float> ai = Vector512.Create(a[0]);
        c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00);
        c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
        ai = Vector512.Create(a[1]);
        c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10);
        c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
        ai = Vector512.Create(a[2]);
        c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20);
        c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
        ai = Vector512.Create(a[3]);
        c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30);
        c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
        ai = Vector512.Create(a[4]);
        c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40);
        c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
        ai = Vector512.Create(a[5]);
        c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50);
        c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
    }

    /// <summary>The write-back of a 32-column tile row: alpha · acc (+ beta · C) (+ bias), the bias loaded once per tile.</summary>
    private readonly struct Store512(float alpha, float beta, float* bias)
    {
        private readonly Vector512<float> _alpha = Vector512.Create(alpha), _beta = Vector512.Create(beta);
        private readonly Vector512<float> _biasLeft = bias == null ? default : Vector512.Load(bias);
        private readonly Vector512<float> _biasRight = bias == null ? default : Vector512.Load(bias + 16);
        private readonly bool _readC = beta != 0f, _addBias = bias != null;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(float* row, Vector512<float> left, Vector512<float> right)
        {
            if (_readC)
            {
                left = Avx512F.FusedMultiplyAdd(left, _alpha, _beta * Vector512.Load(row));
                right = Avx512F.FusedMultiplyAdd(right, _alpha, _beta * Vector512.Load(row + 16));
            }
            else
            {
                left *= _alpha;
                right *= _alpha;
            }
            if (_addBias)
            {
                left += _biasLeft;
                right += _biasRight;
            }
            Vector512.Store(left, row);
            Vector512.Store(right, row + 16);
        }
    }

    /// <summary>
    /// The AVX2 kernel on 16 of the tile's 32 columns: 12 <c>Vector256&lt;float&gt;</c> accumulators hold the 6 × 16
    /// half; each step of k loads 16 values of the B row (2 vectors), broadcasts each of the 6 values of A and issues
    /// 12 fused multiply-adds, two steps per loop iteration. <paramref name="b"/> points at the half's first column;
    /// B rows are NR apart. Inlined into its caller: a loop of kernel calls measured ~98% of one core's FMA peak
    /// inlined, ~85% as a call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private static void Avx2HalfTile(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchTile(c, ldc, NR / 2);
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            Step256(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step256(a + MR, b + NR, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            a += 2 * MR;
            b += 2 * NR;
        }
        if (p < kc)
        {
            Step256(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }
        var store = new Store256(alpha, beta, bias);
        store.Row(c, c00, c01);
        store.Row(c + ldc, c10, c11);
        store.Row(c + 2 * ldc, c20, c21);
        store.Row(c + 3 * ldc, c30, c31);
        store.Row(c + 4 * ldc, c40, c41);
        store.Row(c + 5 * ldc, c50, c51);
    }

    /// <summary>One step of k: c[i, :] += a[i] · b[:] for the 6 rows i, 16 columns each (inlined, so the accumulators stay in registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step256(float* a, float* b,
        ref Vector256<float> c00, ref Vector256<float> c01, ref Vector256<float> c10, ref Vector256<float> c11,
        ref Vector256<float> c20, ref Vector256<float> c21, ref Vector256<float> c30, ref Vector256<float> c31,
        ref Vector256<float> c40, ref Vector256<float> c41, ref Vector256<float> c50, ref Vector256<float> c51)
    {
        Vector256<float> b0 = Avx.LoadAlignedVector256(b);
        Vector256<float> b1 = Avx.LoadAlignedVector256(b + 8);
        Vector256<float> ai = Vector256.Create(a[0]);
        c00 = Fma.MultiplyAdd(ai, b0, c00);
        c01 = Fma.MultiplyAdd(ai, b1, c01);
        ai = Vector256.Create(a[1]);
        c10 = Fma.MultiplyAdd(ai, b0, c10);
        c11 = Fma.MultiplyAdd(ai, b1, c11);
        ai = Vector256.Create(a[2]);
        c20 = Fma.MultiplyAdd(ai, b0, c20);
        c21 = Fma.MultiplyAdd(ai, b1, c21);
        ai = Vector256.Create(a[3]);
        c30 = Fma.MultiplyAdd(ai, b0, c30);
        c31 = Fma.MultiplyAdd(ai, b1, c31);
        ai = Vector256.Create(a[4]);
        c40 = Fma.MultiplyAdd(ai, b0, c40);
        c41 = Fma.MultiplyAdd(ai, b1, c41);
        ai = Vector256.Create(a[5]);
        c50 = Fma.MultiplyAdd(ai, b0, c50);
        c51 = Fma.MultiplyAdd(ai, b1, c51);
    }

    /// <summary>
    /// The write-back of a 16-column half-tile row: alpha · acc (+ beta · C) (+ bias), the bias loaded once per
    /// half-tile. The twin of <see cref="Store512"/>, written out for 256-bit vectors for the reason <see cref="Avx512Tile"/> gives.
    /// </summary>
    private readonly struct Store256(float alpha, float beta, float* bias)
    {
        private readonly Vector256<float> _alpha = Vector256.Create(alpha), _beta = Vector256.Create(beta);
        private readonly Vector256<float> _biasLeft = bias == null ? default : Vector256.Load(bias);
        private readonly Vector256<float> _biasRight = bias == null ? default : Vector256.Load(bias + 8);
        private readonly bool _readC = beta != 0f, _addBias = bias != null;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(float* row, Vector256<float> left, Vector256<float> right)
        {
            if (_readC)
            {
                left = Fma.MultiplyAdd(left, _alpha, _beta * Vector256.Load(row));
                right = Fma.MultiplyAdd(right, _alpha, _beta * Vector256.Load(row + 8));
            }
            else
            {
                left *= _alpha;
                right *= _alpha;
            }
            if (_addBias)
            {
                left += _biasLeft;
                right += _biasRight;
            }
            Vector256.Store(left, row);
            Vector256.Store(right, row + 8);
        }
    }

    /// <summary>The same tile with scalar arithmetic, for machines without AVX2 + FMA.</summary>
    private static void Portable(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, float* bias)
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
                float value = beta == 0f ? product : product + beta * c[i * ldc + j];
                c[i * ldc + j] = bias == null ? value : value + bias[j];
            }
        }
    }
}

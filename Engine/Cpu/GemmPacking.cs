using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Copies a strip of op(A) or op(B) into the order the micro-kernel reads it: for each step p of k, the
/// <c>width</c> values of that step side by side. Strips narrower than <c>width</c> (matrix edges) are padded with
/// zeros, so the micro-kernel never needs a bounds check.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// dst[p·width + r] = src[r·strideAcross + p·strideAlong] for r &lt; <paramref name="valid"/>, 0 for the padding.
    /// </summary>
    /// <param name="src">Element (r = 0, p = 0) of the strip.</param>
    /// <param name="strideAcross">Distance in floats between neighbouring rows (of A) or columns (of B) of the strip.</param>
    /// <param name="strideAlong">Distance in floats between neighbouring steps of k.</param>
    /// <param name="valid">Rows (or columns) that exist; at most <paramref name="width"/>.</param>
    /// <param name="width">MR for A, NR for B.</param>
    /// <param name="kc">Steps of k in the strip.</param>
    /// <param name="dst">kc × width floats.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackStrip(float* src, nint strideAcross, nint strideAlong, int valid, int width, int kc, float* dst)
    {
        if (strideAcross == 1)
        {
            // The strip's values for one step of k are contiguous in memory: copy them row by row.
            for (int step = 0; step < kc; step++)
            {
                CopyStep(src + step * strideAlong, valid, width, dst + step * width);
            }
            return;
        }

        int p = 0;
        if (strideAlong == 1 && valid == 6 && width == 6 && Sse.IsSupported)
        {
            // A full strip of 6 rows of a row-major A: transpose 4 steps of k at a time in registers.
            for (; p + 4 <= kc; p += 4)
            {
                Transpose6x4(src + p, strideAcross, dst + p * width);
            }
        }
        if (strideAlong == 1 && valid == width && width % 8 == 0 && Avx.IsSupported)
        {
            // A full strip of a transposed B (rows of Bᵀ): one 8 × 8 transpose per 8 columns and 8 steps of k.
            for (; p + 8 <= kc; p += 8)
            {
                for (int column = 0; column < width; column += 8)
                {
                    Transpose8x8(src + column * strideAcross + p, strideAcross, dst + p * width + column, width);
                }
            }
        }

        // Otherwise gather each step from `valid` separate rows (of A) or columns (of B); each of them is read in order.
        for (; p < kc; p++)
        {
            float* from = src + p * strideAlong;
            float* to = dst + p * width;
            for (int r = 0; r < valid; r++)
            {
                to[r] = from[r * strideAcross];
            }
            for (int r = valid; r < width; r++)
            {
                to[r] = 0f;
            }
        }
    }

    /// <summary>
    /// Reads 4 consecutive values from each of 6 rows (row i at <c>src + i·stride</c>) and writes them as 4 groups of 6:
    /// dst[q·6 + i] = src[i·stride + q].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x4(float* src, nint stride, float* dst)
    {
        Vector128<float> r0 = Sse.LoadVector128(src), r1 = Sse.LoadVector128(src + stride);
        Vector128<float> r2 = Sse.LoadVector128(src + 2 * stride), r3 = Sse.LoadVector128(src + 3 * stride);
        Vector128<float> r4 = Sse.LoadVector128(src + 4 * stride), r5 = Sse.LoadVector128(src + 5 * stride);

        // Rows 0-3: a 4 × 4 transpose. t01low = (r0[0], r1[0], r0[1], r1[1]) and so on.
        Vector128<float> t01Low = Sse.UnpackLow(r0, r1), t01High = Sse.UnpackHigh(r0, r1);
        Vector128<float> t23Low = Sse.UnpackLow(r2, r3), t23High = Sse.UnpackHigh(r2, r3);
        Sse.Store(dst, Sse.MoveLowToHigh(t01Low, t23Low));
        Sse.Store(dst + 6, Sse.MoveHighToLow(t23Low, t01Low));
        Sse.Store(dst + 12, Sse.MoveLowToHigh(t01High, t23High));
        Sse.Store(dst + 18, Sse.MoveHighToLow(t23High, t01High));

        // Rows 4-5: pairs (r4[q], r5[q]) go to places 4 and 5 of each group.
        Vector128<float> t45Low = Sse.UnpackLow(r4, r5), t45High = Sse.UnpackHigh(r4, r5);
        Sse.StoreLow(dst + 4, t45Low);
        Sse.StoreHigh(dst + 10, t45Low);
        Sse.StoreLow(dst + 16, t45High);
        Sse.StoreHigh(dst + 22, t45High);
    }

    /// <summary>
    /// Reads 8 consecutive values from each of 8 rows (row i at <c>src + i·stride</c>) and writes them as 8 groups of
    /// 8 placed <paramref name="dstStride"/> apart: dst[q·dstStride + i] = src[i·stride + q].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint stride, float* dst, int dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + stride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * stride), r3 = Avx.LoadVector256(src + 3 * stride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * stride), r5 = Avx.LoadVector256(src + 5 * stride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * stride), r7 = Avx.LoadVector256(src + 7 * stride);

        // Interleave pairs of rows, then pairs of pairs: within each 128-bit half, u_q holds column q of 4 rows.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join the rows 0-3 and 4-7 halves: low halves give columns 0-3, high halves columns 4-7.
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    private static void CopyStep(float* from, int valid, int width, float* to)
    {
        int r = 0;
        if (valid == 6 && width == 6 && Sse2.IsSupported)
        {
            // A full strip of a transposed A: 4 + 2 floats.
            Sse.Store(to, Sse.LoadVector128(from));
            Sse2.StoreScalar((double*)(to + 4), Sse2.LoadScalarVector128((double*)(from + 4)));
            return;
        }
        if (valid == width)
        {
            for (; r + Vector256<float>.Count <= width; r += Vector256<float>.Count)
            {
                Vector256.Store(Vector256.Load(from + r), to + r);
            }
        }
        for (; r < valid; r++)
        {
            to[r] = from[r];
        }
        for (; r < width; r++)
        {
            to[r] = 0f;
        }
    }
}

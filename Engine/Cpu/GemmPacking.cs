using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
            for (int p = 0; p < kc; p++)
            {
                CopyStep(src + p * strideAlong, valid, width, dst + p * width);
            }
            return;
        }

        // Otherwise gather each step from `valid` separate rows (of A) or columns (of B); each of them is read in order.
        for (int p = 0; p < kc; p++)
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

    private static void CopyStep(float* from, int valid, int width, float* to)
    {
        int r = 0;
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

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
    public static void PackStrip(float* src, nint strideAcross, nint strideAlong, int valid, int width, int kc, float* dst)
    {
        if (strideAcross == 1 && valid == width && width % Vector256<float>.Count == 0)
        {
            // The strip's values for one step are contiguous in memory: copy them as vectors.
            for (int p = 0; p < kc; p++)
            {
                float* from = src + p * strideAlong;
                float* to = dst + p * width;
                for (int r = 0; r < width; r += Vector256<float>.Count)
                {
                    Vector256.Store(Vector256.Load(from + r), to + r);
                }
            }
            return;
        }

        // Otherwise walk each row (or column) of the strip along k, which reads memory in order when strideAlong is 1.
        for (int r = 0; r < valid; r++)
        {
            float* from = src + r * strideAcross;
            float* to = dst + r;
            for (int p = 0; p < kc; p++)
            {
                to[p * width] = from[p * strideAlong];
            }
        }
        for (int r = valid; r < width; r++)
        {
            for (int p = 0; p < kc; p++)
            {
                dst[p * width + r] = 0f;
            }
        }
    }
}

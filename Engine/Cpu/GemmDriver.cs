using System.Runtime.CompilerServices;
using static MiniBioBert.Engine.Cpu.GemmBlocking;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The cache-blocked loop nest of the packed GEMM (the GotoBLAS / BLIS structure):
/// <code>
/// for each NC-wide column block of C            (jc)
///   for each KC-deep slice of k                   (pc)  pack op(B)[pc.., jc..] into NR-wide strips   (L3)
///     for each MC-tall row block of C             (ib)  pack op(A)[ib.., pc..] into MR-tall strips   (L2)
///       for each NR strip of B                          (L1)
///         for each MR strip of A: micro-kernel
/// </code>
/// The first k slice applies beta to C; later slices add to what the earlier ones wrote. With several threads,
/// each runs this loop nest on its own band of C.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Runs <c>C = alpha · op(A) · op(B) + beta · C (+ columnBias)</c> (arguments as in <see cref="Gemm.Multiply"/>).</summary>
    /// <param name="parallel">Spread the product over <see cref="CpuParallel.ThreadCount"/> threads.</param>
    /// <param name="kernel">Which micro-kernel computes the register tiles (<see cref="GemmMicroKernel.Best"/> unless a test asks for another).</param>
    /// <param name="columnBias">n values added to every row of C as the last k slice writes it, or null.</param>
    public static void Run(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, bool parallel, GemmKernelKind kernel, float* columnBias = null)
    {
        if (m == 0 || n == 0)
        {
            return;
        }
        if (k == 0 || alpha == 0f)
        {
            Scale(m, n, beta, c, ldc, columnBias);
            return;
        }

        // op(A)[i, p] = a[i·aRow + p·aDepth]; op(B)[p, j] = b[p·bDepth + j·bCol].
        nint aRow = transposeA ? 1 : lda, aDepth = transposeA ? lda : 1;
        nint bDepth = transposeB ? 1 : ldb, bCol = transposeB ? ldb : 1;
        int threads = CpuParallel.ThreadCount;
        if (!parallel || threads < 2)
        {
            RunSerial(m, n, k, alpha, a, aRow, aDepth, b, bDepth, bCol, beta, c, ldc, kernel, columnBias);
            return;
        }

        // One parallel region per product: C is cut into bands along its longer side and each band runs the whole
        // loop nest on its own (packing its own panels). A thread waits for the others only once, at the end, and
        // every element of C goes through exactly the arithmetic of a single-threaded run. Long sides give several
        // bands per thread, so that a thread the OS preempts does not hold the others up; a band is kept at least
        // MinBandExtent long because each band packs the whole of the other operand again.
        bool columnBands = n > m;
        int extent = columnBands ? n : m;
        int granule = columnBands ? NR : MR;
        int units = DivUp(extent, granule);
        int bands = Math.Min(units, Math.Clamp(extent / MinBandExtent, threads, BandsPerThread * threads));
        Parallel.For(0, bands, CpuParallel.Options, band =>
        {
            int first = (int)((long)units * band / bands) * granule;
            int end = Math.Min((int)((long)units * (band + 1) / bands) * granule, columnBands ? n : m);
            if (columnBands)
            {
                RunSerial(m, end - first, k, alpha, a, aRow, aDepth, b + first * bCol, bDepth, bCol, beta, c + first, ldc, kernel,
                    columnBias == null ? null : columnBias + first);
            }
            else
            {
                RunSerial(end - first, n, k, alpha, a + first * aRow, aRow, aDepth, b, bDepth, bCol, beta, c + (nint)first * ldc, ldc, kernel,
                    columnBias);
            }
        });
    }

    /// <summary>Most bands per thread in a parallel product.</summary>
    private const int BandsPerThread = 4;

    /// <summary>Shortest band worth packing the other operand for, beyond one band per thread.</summary>
    private const int MinBandExtent = 1024;

    /// <summary>The loop nest on the calling thread; op(A) and op(B) are given by their strides (see <see cref="Run"/>).</summary>
    private static void RunSerial(int m, int n, int k, float alpha, float* a, nint aRow, nint aDepth,
        float* b, nint bDepth, nint bCol, float beta, float* c, int ldc, GemmKernelKind kernel, float* columnBias)
    {
        var workspace = GemmWorkspace.Current;
        float* packedA = workspace.PackedA((long)RoundUp(Math.Min(m, MC), MR) * Math.Min(k, KC));
        float* packedB = workspace.PackedB((long)RoundUp(Math.Min(n, NC), NR) * Math.Min(k, KC));

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                float sliceBeta = pc == 0 ? beta : 1f;
                float* sliceBias = columnBias != null && pc + kc == k ? columnBias + jc : null; // the bias goes in with the last slice

                // packedB: strip s holds columns jc + s·NR .. of op(B), rows pc .. pc + kc, as [kc, NR].
                float* bSlice = b + pc * bDepth + jc * bCol;
                for (int s = 0; s < DivUp(nc, NR); s++)
                {
                    GemmPacking.PackStrip(bSlice + s * NR * bCol, bCol, bDepth, Math.Min(NR, nc - s * NR), NR, kc,
                        packedB + (long)s * kc * NR);
                }

                for (int ib = 0; ib < m; ib += MC)
                {
                    int mb = Math.Min(MC, m - ib);

                    // packedA: strip s holds rows ib + s·MR .. of op(A), columns pc .. pc + kc, as [kc, MR].
                    float* aBlock = a + ib * aRow + pc * aDepth;
                    for (int s = 0; s < DivUp(mb, MR); s++)
                    {
                        GemmPacking.PackStrip(aBlock + s * MR * aRow, aRow, aDepth, Math.Min(MR, mb - s * MR), MR, kc,
                            packedA + (long)s * kc * MR);
                    }

                    MacroTile(kc, packedA, packedB, c + (nint)ib * ldc + jc, ldc, 0, mb, 0, nc, alpha, sliceBeta, kernel, sliceBias);
                }
            }
        }
    }

    /// <summary>
    /// Rows row0 .. row0 + rows, columns col0 .. col0 + cols of the C block, from packed strips. The B strip is the
    /// outer loop so that it stays in L1 while the tile's A strips stream through it from L2. <paramref name="bias"/>
    /// (column 0 of the block's bias, or null) is added as the tiles are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroTile(int kc, float* packedA, float* packedB, float* c, int ldc,
        int row0, int rows, int col0, int cols, float alpha, float beta, GemmKernelKind kernel, float* bias)
    {
        for (int j = col0; j < col0 + cols; j += NR)
        {
            float* bStrip = packedB + (long)(j / NR) * kc * NR;
            int tileCols = Math.Min(NR, col0 + cols - j);
            float* tileBias = bias == null ? null : bias + j;
            for (int i = row0; i < row0 + rows; i += MR)
            {
                float* aStrip = packedA + (long)(i / MR) * kc * MR;
                GemmMicroKernel.Tile(kernel, kc, aStrip, bStrip, c + (nint)i * ldc + j, ldc,
                    Math.Min(MR, row0 + rows - i), tileCols, alpha, beta, tileBias);
            }
        }
    }

    /// <summary>C = beta · C (+ columnBias), writing zeros without reading C when beta is 0.</summary>
    private static void Scale(int m, int n, float beta, float* c, int ldc, float* columnBias)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (nint)i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else if (beta != 1f)
            {
                foreach (ref float value in row)
                {
                    value *= beta;
                }
            }
            if (columnBias != null)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(row, new ReadOnlySpan<float>(columnBias, n), row);
            }
        }
    }

    private static int DivUp(int value, int divisor) => (value + divisor - 1) / divisor;

    private static int RoundUp(int value, int multiple) => DivUp(value, multiple) * multiple;
}

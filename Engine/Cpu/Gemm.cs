namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Single-precision matrix multiply on row-major matrices:
/// <c>C = alpha · op(A) · op(B) + beta · C</c>, where op(X) is X or Xᵀ.
/// op(A) is [m, k], op(B) is [k, n], C is [m, n]; lda/ldb/ldc are the row strides (in floats) of A, B and C as stored.
/// When beta is 0, C is written without being read (it may hold garbage); when alpha is 0 or k is 0, A and B are not read.
/// An optional column bias (n values) is added to every row of C in the products' write-back, not in a second pass over
/// C; each element is rounded as if that pass had run (<c>(alpha · AB + beta · C) + bias[j]</c>).
/// </summary>
/// <remarks>
/// A packed, cache-blocked product with an AVX-512 or AVX2 + FMA register-tiled micro-kernel (see <see cref="GemmDriver"/>),
/// multi-threaded when the product is large enough to pay for it. <see cref="GemmReference"/> is the plain oracle.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>One matrix product.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
        Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, columnBias: null);

    /// <summary>One matrix product; <paramref name="columnBias"/> (n values, or null) is added to every row of C.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, float* columnBias)
    {
        Validate(transposeA, transposeB, m, n, k, lda, ldb, ldc);
        bool parallel = (long)m * n * k >= GemmBlocking.ParallelThreshold && CpuParallel.ThreadCount > 1;
        GemmDriver.Run(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel, GemmMicroKernel.Best, columnBias);
    }

    /// <summary>
    /// <paramref name="batch"/> independent products; matrix i of A starts at <c>a + i·strideA</c> (likewise B and C).
    /// </summary>
    public static void MultiplyBatched(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, long strideA, float* b, int ldb, long strideB, float beta, float* c, int ldc, long strideC, int batch)
    {
        Validate(transposeA, transposeB, m, n, k, lda, ldb, ldc);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        GemmKernelKind kernel = GemmMicroKernel.Best;
        int cores = CpuParallel.ThreadCount;
        long work = (long)m * n * k;
        bool enoughProducts = batch >= 4 * cores || work < 16 * GemmBlocking.ParallelThreshold;
        if (batch > 1 && cores > 1 && (long)batch * work >= GemmBlocking.ParallelThreshold && enoughProducts)
        {
            // Many products: give whole products to threads, each running its own product single-threaded.
            Parallel.For(0, batch, CpuParallel.Options, i => GemmDriver.Run(transposeA, transposeB, m, n, k, alpha,
                a + i * strideA, lda, b + i * strideB, ldb, beta, c + i * strideC, ldc, parallel: false, kernel));
            return;
        }
        // Few large products (or one): one after the other, each spread over the threads if it is large enough.
        bool parallel = work >= GemmBlocking.ParallelThreshold && cores > 1;
        for (int i = 0; i < batch; i++)
        {
            GemmDriver.Run(transposeA, transposeB, m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb,
                beta, c + i * strideC, ldc, parallel, kernel);
        }
    }

    private static void Validate(bool transposeA, bool transposeB, int m, int n, int k, int lda, int ldb, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        // Each stored row must be at least as long as the matrix is wide (A is [m, k] or, transposed, [k, m]).
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, Math.Max(1, transposeA ? m : k));
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, Math.Max(1, transposeB ? k : n));
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, Math.Max(1, n));
    }
}

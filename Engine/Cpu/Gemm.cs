namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Single-precision matrix multiply on row-major matrices:
/// <c>C = alpha · op(A) · op(B) + beta · C</c>, where op(X) is X or Xᵀ.
/// op(A) is [m, k], op(B) is [k, n], C is [m, n]; lda/ldb/ldc are the row strides (in floats) of A, B and C as stored.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>One matrix product.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        GemmReference.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// <paramref name="batch"/> independent products; matrix i of A starts at <c>a + i·strideA</c> (likewise B and C).
    /// </summary>
    public static void MultiplyBatched(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, long strideA, float* b, int ldb, long strideB, float beta, float* c, int ldc, long strideC, int batch)
    {
        for (int i = 0; i < batch; i++)
        {
            Multiply(transposeA, transposeB, m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb, beta, c + i * strideC, ldc);
        }
    }
}

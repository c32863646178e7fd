namespace MiniBioBert.Engine.Cpu;

/// <summary>Matrix products between tensors stored back to back as [batch, rows, columns], on the packed GEMM.</summary>
public static unsafe class MatMulKernels
{
    /// <summary>
    /// c[i] = alpha·op(a[i])·op(b[i]) + beta·c[i] for i &lt; batch, where op(a[i]) is [m, k], op(b[i]) is [k, n]
    /// and c[i] is [m, n]; a matrix used transposed is stored with its dimensions swapped.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, Tensor a, Tensor b, Tensor c,
        float alpha = 1f, float beta = 0f, int batch = 1)
    {
        int lda = transposeA ? m : k;
        int ldb = transposeB ? k : n;
        fixed (float* aData = a.Data, bData = b.Data, cData = c.Data)
        {
            Gemm.MultiplyBatched(transposeA, transposeB, m, n, k, alpha,
                aData + a.Offset, lda, (long)m * k,
                bData + b.Offset, ldb, (long)k * n,
                beta, cData + c.Offset, n, (long)m * n, batch);
        }
    }
}

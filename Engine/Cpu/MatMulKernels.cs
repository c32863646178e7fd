using MiniBioBert.Engine.Kernels;
namespace MiniBioBert.Engine.Cpu;

/// <summary>Matrix products between tensors stored back to back as [batch, rows, columns], on the packed GEMM.</summary>
internal static unsafe class MatMulKernels
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

    /// <summary>
    /// One product per (batch item, head) for multi-head attention, reading and writing each head's matrix in place
    /// inside a larger tensor instead of materialising transposed copies: the head h of batch item b of operand X
    /// starts at X.Offset + b·X.BatchStride + h·X.HeadStride and has rows X.RowStride floats apart.
    /// For activations [B, T, heads·d]: RowStride = heads·d, HeadStride = d, BatchStride = T·heads·d.
    /// </summary>
    public static void MultiplyPerHead(bool transposeA, bool transposeB, int m, int n, int k,
        StridedMatrices a, StridedMatrices b, StridedMatrices c, int batch, int heads, float alpha = 1f, float beta = 0f)
    {
        // One task per (item, head) pair; each product is small enough to run on one thread.
        CpuParallel.ForRows(batch * heads, 2L * m * n * k, (start, end) =>
        {
            fixed (float* aData = a.Tensor.Data, bData = b.Tensor.Data, cData = c.Tensor.Data)
            {
                for (int pair = start; pair < end; pair++)
                {
                    int item = pair / heads, head = pair % heads;
                    Gemm.Multiply(transposeA, transposeB, m, n, k, alpha,
                        aData + a.Tensor.Offset + item * a.BatchStride + head * a.HeadStride, a.RowStride,
                        bData + b.Tensor.Offset + item * b.BatchStride + head * b.HeadStride, b.RowStride,
                        beta, cData + c.Tensor.Offset + item * c.BatchStride + head * c.HeadStride, c.RowStride);
                }
            }
        });
    }
}

namespace MiniBioBert.Engine.Cpu;

/// <summary>The textbook triple loop, accumulated in double: the oracle the fast <see cref="Gemm"/> is tested against.</summary>
internal static unsafe class GemmReference
{
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float aValue = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)aValue * bValue;
                }
                float previous = beta == 0f ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum) + previous;
            }
        }
    }
}

using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>
    /// c[i] = alpha·op(a[i])·op(b[i]) + beta·c[i] for i &lt; batch, matrices stored back to back
    /// (op(a[i]): [m, k], op(b[i]): [k, n], c[i]: [m, n]); a matrix used transposed is stored with its dimensions
    /// swapped. When beta is 0, c is written without being read; when alpha is 0, a and b are not read.
    /// </summary>
    public static void MatMul(bool transposeA, bool transposeB, int m, int n, int k, Tensor a, Tensor b, Tensor c,
        float alpha = 1f, float beta = 0f, int batch = 1)
    {
        // Back-to-back matrices are per-head matrices with one head: a row of a stored [m, k] matrix is k floats long,
        // of a stored [k, m] matrix (transposed) m floats long; matrix i starts i·(its size) floats in.
        var aMatrices = new StridedMatrices(a, RowStride: transposeA ? m : k, HeadStride: 0, BatchStride: (long)m * k);
        var bMatrices = new StridedMatrices(b, RowStride: transposeB ? k : n, HeadStride: 0, BatchStride: (long)k * n);
        var cMatrices = new StridedMatrices(c, RowStride: n, HeadStride: 0, BatchStride: (long)m * n);
        MultiplyPerHead(transposeA, transposeB, m, n, k, aMatrices, bMatrices, cMatrices, batch, heads: 1, alpha, beta);
    }

    /// <summary>
    /// One product c = alpha·op(a)·op(b) + beta·c per (batch item, head), each head's matrix read and written in place
    /// inside a larger tensor: element [row, column] of head h of batch item b of X sits at
    /// X.Tensor.Offset + b·X.BatchStride + h·X.HeadStride + row·X.RowStride + column.
    /// For activations [B, T, heads·d]: RowStride = heads·d, HeadStride = d, BatchStride = T·heads·d.
    /// </summary>
    public static void MultiplyPerHead(bool transposeA, bool transposeB, int m, int n, int k,
        StridedMatrices a, StridedMatrices b, StridedMatrices c, int batch, int heads, float alpha = 1f, float beta = 0f)
    {
        // op(a): [m, k], op(b): [k, n], c: [m, n] for each (item, head).
        // Attention scores = Q·Kᵀ: a = query [T, d], b = key [T, d] with transposeB, so op(b)[p, j] = key[j, p] and
        // scores[i, j] = Σ_p query[i, p]·key[j, p].
        float[] aData = a.Tensor.Data, bData = b.Tensor.Data, cData = c.Tensor.Data;
        for (int item = 0; item < batch; item++)
        {
            for (int head = 0; head < heads; head++)
            {
                // Where this (item, head)'s three matrices start.
                long aStart = a.Tensor.Offset + item * a.BatchStride + head * a.HeadStride;
                long bStart = b.Tensor.Offset + item * b.BatchStride + head * b.HeadStride;
                long cStart = c.Tensor.Offset + item * c.BatchStride + head * c.HeadStride;
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        // The dot product of row i of op(a) with column j of op(b), in float, p = 0, 1, …, k − 1.
                        // alpha = 0 reads neither a nor b: c becomes beta·c.
                        int depth = alpha == 0f ? 0 : k;
                        float sum = 0;
                        for (int p = 0; p < depth; p++)
                        {
                            // op(a)[i, p] is a[i, p], or a[p, i] when a is stored transposed; likewise op(b)[p, j].
                            float aValue = transposeA ? aData[aStart + (long)p * a.RowStride + i] : aData[aStart + (long)i * a.RowStride + p];
                            float bValue = transposeB ? bData[bStart + (long)j * b.RowStride + p] : bData[bStart + (long)p * b.RowStride + j];
                            sum += aValue * bValue;
                        }
                        long cIndex = cStart + (long)i * c.RowStride + j;
                        // beta = 0 writes c without reading it (it may hold garbage, even NaN).
                        cData[cIndex] = beta == 0f ? alpha * sum : alpha * sum + beta * cData[cIndex];
                    }
                }
            }
        }
    }

    /// <summary>y [rows, out] = x [rows, in] · Wᵀ + bias (bias optional), W in PyTorch's [out, in] layout.</summary>
    public static void LinearForward(Tensor x, Tensor weight, Tensor? bias, Tensor y)
    {
        int outFeatures = weight.Dim(0);
        int inFeatures = weight.Dim(1);
        int rows = x.Size / inFeatures;
        // y[r, o] = Σ_i x[r, i]·W[o, i]
        MatMul(false, true, rows, outFeatures, inFeatures, x, weight, y);
        if (bias is not null)
        {
            // y[r, o] += bias[o]
            AddScaled(y, bias, 1f, y);
        }
    }

    /// <summary>Accumulates the gradients asked for (null = not needed): dx += dy·W, dW += dyᵀ·x, dbias += Σ_rows dy.</summary>
    public static void LinearBackward(Tensor outputGrad, Tensor x, Tensor weight, Tensor? inputGrad, Tensor? weightGrad, Tensor? biasGrad)
    {
        // outputGrad: [rows, out]; x, inputGrad: [rows, in]; weight, weightGrad: [out, in]; biasGrad: [out]
        int outFeatures = weight.Dim(0);
        int inFeatures = weight.Dim(1);
        int rows = x.Size / inFeatures;
        if (inputGrad is not null)
        {
            // dx [rows, in] += dy [rows, out] · W [out, in]
            MatMul(false, false, rows, inFeatures, outFeatures, outputGrad, weight, inputGrad, beta: 1f);
        }
        if (weightGrad is not null)
        {
            // dW [out, in] += dyᵀ [out, rows] · x [rows, in]
            MatMul(true, false, outFeatures, inFeatures, rows, outputGrad, x, weightGrad, beta: 1f);
        }
        if (biasGrad is not null)
        {
            AddColumnSums(outputGrad, biasGrad, outFeatures);
        }
    }
}

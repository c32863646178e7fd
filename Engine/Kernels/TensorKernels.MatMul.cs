using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// c[i] = alpha·op(a[i])·op(b[i]) + beta·c[i] for i &lt; batch, matrices stored back to back
    /// (op(a[i]): [m, k], op(b[i]): [k, n], c[i]: [m, n]); see <see cref="MatMulKernels.Multiply"/>.
    /// </summary>
    public static void MatMul(bool transposeA, bool transposeB, int m, int n, int k, Tensor a, Tensor b, Tensor c,
        float alpha = 1f, float beta = 0f, int batch = 1)
    {
        if (a.Device.IsReference)
        {
            ReferenceKernels.MatMul(transposeA, transposeB, m, n, k, a, b, c, alpha, beta, batch);
            return;
        }
        if (a.Device.Gpu is { } gpu)
        {
            GpuGemm.MultiplyBatched(gpu, transposeA, transposeB, m, n, k, alpha,
                a.DeviceView, transposeA ? m : k, (long)m * k,
                b.DeviceView, transposeB ? k : n, (long)k * n,
                beta, c.DeviceView, n, (long)m * n, batch);
        }
        else
        {
            MatMulKernels.Multiply(transposeA, transposeB, m, n, k, a, b, c, alpha, beta, batch);
        }
    }

    /// <summary>
    /// One product per (batch item, head), each head's matrix read and written in place inside a larger tensor;
    /// see <see cref="MatMulKernels.MultiplyPerHead"/>. The GPU runs them all in one launch.
    /// </summary>
    public static void MultiplyPerHead(bool transposeA, bool transposeB, int m, int n, int k,
        StridedMatrices a, StridedMatrices b, StridedMatrices c, int batch, int heads, float alpha = 1f, float beta = 0f)
    {
        if (a.Tensor.Device.IsReference)
        {
            ReferenceKernels.MultiplyPerHead(transposeA, transposeB, m, n, k, a, b, c, batch, heads, alpha, beta);
            return;
        }
        if (a.Tensor.Device.Gpu is { } gpu)
        {
            // One launch for every (batch item, head) pair.
            GpuGemm.MultiplyPerHead(gpu, transposeA, transposeB, m, n, k, alpha,
                a.Tensor.DeviceView, a.RowStride, a.HeadStride, a.BatchStride,
                b.Tensor.DeviceView, b.RowStride, b.HeadStride, b.BatchStride,
                beta, c.Tensor.DeviceView, c.RowStride, c.HeadStride, c.BatchStride, batch, heads);
        }
        else
        {
            MatMulKernels.MultiplyPerHead(transposeA, transposeB, m, n, k, a, b, c, batch, heads, alpha, beta);
        }
    }

    /// <summary>y [rows, out] = x [rows, in] · Wᵀ + bias (bias optional), W in PyTorch's [out, in] layout.</summary>
    public static void LinearForward(Tensor x, Tensor weight, Tensor? bias, Tensor y)
    {
        CheckLinear("LinearForward", x, weight, bias, y);
        if (x.Device.IsReference)
        {
            ReferenceKernels.LinearForward(x, weight, bias, y);
            return;
        }
        if (x.Device.Gpu is not { } gpu)
        {
            LinearKernels.Forward(x, weight, bias, y);
            return;
        }
        int outFeatures = weight.Dim(0);
        int inFeatures = weight.Dim(1);
        int rows = x.Size / inFeatures;
        // One launch: the bias is the GEMM's epilogue.
        GpuGemm.Multiply(gpu, false, true, rows, outFeatures, inFeatures, 1f,
            x.DeviceView, inFeatures, weight.DeviceView, inFeatures, 0f, y.DeviceView, outFeatures, bias?.DeviceView ?? default);
    }

    /// <summary>Accumulates the gradients asked for (null = not needed): dx += dy·W, dW += dyᵀ·x, dbias += Σ_rows dy.</summary>
    public static void LinearBackward(Tensor outputGrad, Tensor x, Tensor weight, Tensor? inputGrad, Tensor? weightGrad, Tensor? biasGrad)
    {
        CheckLinear("LinearBackward", x, weight, biasGrad, outputGrad);
        CheckSize("LinearBackward", "input gradient", inputGrad, x.Size);
        CheckSize("LinearBackward", "weight gradient", weightGrad, weight.Size);
        if (outputGrad.Device.IsReference)
        {
            ReferenceKernels.LinearBackward(outputGrad, x, weight, inputGrad, weightGrad, biasGrad);
            return;
        }
        if (x.Device.Gpu is not { } gpu)
        {
            LinearKernels.Backward(outputGrad, x, weight, inputGrad, weightGrad, biasGrad);
            return;
        }
        int outFeatures = weight.Dim(0);
        int inFeatures = weight.Dim(1);
        int rows = x.Size / inFeatures;
        if (inputGrad is not null)
        {
            // dx [rows, in] += dy [rows, out] · W [out, in]
            GpuGemm.Multiply(gpu, false, false, rows, inFeatures, outFeatures, 1f,
                outputGrad.DeviceView, outFeatures, weight.DeviceView, inFeatures, 1f, inputGrad.DeviceView, inFeatures);
        }
        if (weightGrad is not null)
        {
            // dW [out, in] += dyᵀ [out, rows] · x [rows, in]
            GpuGemm.Multiply(gpu, true, false, outFeatures, inFeatures, rows, 1f,
                outputGrad.DeviceView, outFeatures, x.DeviceView, inFeatures, 1f, weightGrad.DeviceView, inFeatures);
        }
        if (biasGrad is not null)
        {
            GpuReductions.AddColumnSums(gpu, outputGrad.DeviceView, biasGrad.DeviceView, outFeatures);
        }
    }

    /// <summary>
    /// The shapes a dense layer needs, checked before any kernel runs (the CPU kernels write through pointers):
    /// weight [out, in], x holding whole rows of in, y (or dy) the same rows of out, bias (or its gradient) [out].
    /// </summary>
    private static void CheckLinear(string kernel, Tensor x, Tensor weight, Tensor? bias, Tensor y)
    {
        if (weight.Rank != 2 || weight.Dim(1) == 0 || x.Size % weight.Dim(1) != 0)
        {
            throw new ArgumentException($"{kernel}: x has {x.Size} elements, not whole rows of the weight [{string.Join(", ", weight.ShapeArray())}]'s {(weight.Rank == 2 ? weight.Dim(1) : 0)} inputs.");
        }
        CheckSize(kernel, "output", y, (long)x.Size / weight.Dim(1) * weight.Dim(0));
        CheckSize(kernel, "bias", bias, weight.Dim(0));
    }

    private static void CheckSize(string kernel, string what, Tensor? tensor, long expected)
    {
        if (tensor is not null && tensor.Size != expected)
        {
            throw new ArgumentException($"{kernel}: the {what} has {tensor.Size} elements where {expected} are needed.");
        }
    }
}

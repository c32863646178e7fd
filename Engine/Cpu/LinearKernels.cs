namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The fully connected layer y = x·Wᵀ + b on the packed GEMM, with PyTorch's weight layout [out, in].
/// Shared by <see cref="Ops.Linear"/> and the model's hand-written layers.
/// </summary>
internal static unsafe class LinearKernels
{
    /// <summary>y [rows, out] = x [rows, in] · Wᵀ + bias.</summary>
    public static void Forward(Tensor x, Tensor weight, Tensor? bias, Tensor y)
    {
        int outFeatures = weight.Dim(0);
        int inFeatures = weight.Dim(1);
        int rows = x.Size / inFeatures;
        // The bias goes into the product's write-back (no second pass over y).
        fixed (float* xData = x.Data, wData = weight.Data, yData = y.Data, bData = bias is null ? null : bias.Data)
        {
            Gemm.Multiply(false, true, rows, outFeatures, inFeatures, 1f,
                xData + x.Offset, inFeatures, wData + weight.Offset, inFeatures, 0f, yData + y.Offset, outFeatures,
                bias is null ? null : bData + bias.Offset);
        }
    }

    /// <summary>
    /// Accumulates the gradients that are asked for (null = not needed):
    /// dx += dy·W, dW += dyᵀ·x, dbias += Σ_rows dy.
    /// </summary>
    public static void Backward(Tensor outputGrad, Tensor x, Tensor weight, Tensor? inputGrad, Tensor? weightGrad, Tensor? biasGrad)
    {
        int outFeatures = weight.Dim(0);
        int inFeatures = weight.Dim(1);
        int rows = x.Size / inFeatures;
        fixed (float* dy = outputGrad.Data, xData = x.Data, wData = weight.Data)
        {
            float* dyStart = dy + outputGrad.Offset;
            if (inputGrad is not null)
            {
                fixed (float* dx = inputGrad.Data)
                {
                    // dx [rows, in] += dy [rows, out] · W [out, in]
                    Gemm.Multiply(false, false, rows, inFeatures, outFeatures, 1f,
                        dyStart, outFeatures, wData + weight.Offset, inFeatures, 1f, dx + inputGrad.Offset, inFeatures);
                }
            }
            if (weightGrad is not null)
            {
                fixed (float* dw = weightGrad.Data)
                {
                    // dW [out, in] += dyᵀ [out, rows] · x [rows, in]
                    Gemm.Multiply(true, false, outFeatures, inFeatures, rows, 1f,
                        dyStart, outFeatures, xData + x.Offset, inFeatures, 1f, dw + weightGrad.Offset, inFeatures);
                }
            }
        }
        if (biasGrad is not null)
        {
            ReductionKernels.AddColumnSums(outputGrad.Memory, biasGrad.Memory, outFeatures);
        }
    }
}

using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine;

public static partial class Ops
{
    /// <summary>
    /// Matrix product op(a)·op(b), where op transposes the last two dimensions when its flag is set.
    /// 2-D: a [M, K] · b [K, N] → [M, N]. Batched: a [..., M, K] · b [..., K, N] with equal leading dimensions.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        var device = Device.Common("MatMul", a, b);
        if (a.Rank < 2 || a.Rank != b.Rank)
        {
            throw new ArgumentException($"MatMul needs two tensors of equal rank ≥ 2, not {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}.");
        }
        int batch = 1;
        for (int d = 0; d < a.Rank - 2; d++)
        {
            if (a.Dim(d) != b.Dim(d))
            {
                throw new ArgumentException($"MatMul batch dimensions differ: {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}.");
            }
            batch *= a.Dim(d);
        }
        int m = transposeA ? a.Dim(-1) : a.Dim(-2);
        int k = transposeA ? a.Dim(-2) : a.Dim(-1);
        int kOfB = transposeB ? b.Dim(-1) : b.Dim(-2);
        int n = transposeB ? b.Dim(-2) : b.Dim(-1);
        if (k != kOfB)
        {
            throw new ArgumentException($"MatMul inner dimensions differ: {Tensor.FormatShape(a.Shape)}{(transposeA ? "ᵀ" : "")} · {Tensor.FormatShape(b.Shape)}{(transposeB ? "ᵀ" : "")}.");
        }

        var outputShape = a.ShapeArray();
        outputShape[^2] = m;
        outputShape[^1] = n;
        var output = Tensor.Uninitialized(device, outputShape);
        // c = op(a)·op(b)
        TensorKernels.MatMul(transposeA, transposeB, m, n, k, a, b, output, beta: 0f, batch: batch);

        return Gradients.Record(output, "MatMul", [a, b], outputGrad =>
        {
            if (a.RequiresGrad)
            {
                // d op(a) = dc · op(b)ᵀ; when a was used transposed, da = op(b) · dcᵀ.
                var aGrad = Gradients.Of(a);
                if (transposeA)
                {
                    TensorKernels.MatMul(transposeB, true, k, m, n, b, outputGrad, aGrad, beta: 1f, batch: batch);
                }
                else
                {
                    TensorKernels.MatMul(false, !transposeB, m, k, n, outputGrad, b, aGrad, beta: 1f, batch: batch);
                }
            }
            if (b.RequiresGrad)
            {
                // d op(b) = op(a)ᵀ · dc; when b was used transposed, db = dcᵀ · op(a).
                var bGrad = Gradients.Of(b);
                if (transposeB)
                {
                    TensorKernels.MatMul(true, transposeA, n, k, m, outputGrad, a, bGrad, beta: 1f, batch: batch);
                }
                else
                {
                    TensorKernels.MatMul(!transposeA, false, k, n, m, a, outputGrad, bGrad, beta: 1f, batch: batch);
                }
            }
        });
    }

    /// <summary>
    /// A fully connected layer: y = x·Wᵀ + bias, with x [..., in], weight [out, in] (PyTorch's layout), bias [out].
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        var device = Device.Common("Linear", x, weight, bias);
        int inFeatures = weight.Dim(1);
        int outFeatures = weight.Dim(0);
        if (x.Dim(-1) != inFeatures || (bias is not null && (bias.Rank != 1 || bias.Size != outFeatures)))
        {
            throw new ArgumentException($"Linear: input {Tensor.FormatShape(x.Shape)}, weight {Tensor.FormatShape(weight.Shape)} and bias {(bias is null ? "none" : Tensor.FormatShape(bias.Shape))} do not fit.");
        }
        var outputShape = x.ShapeArray();
        outputShape[^1] = outFeatures;
        var output = Tensor.Uninitialized(device, outputShape);
        TensorKernels.LinearForward(x, weight, bias, output);

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Gradients.Record(output, "Linear", inputs, outputGrad => TensorKernels.LinearBackward(outputGrad, x, weight,
            x.RequiresGrad ? Gradients.Of(x) : null,
            weight.RequiresGrad ? Gradients.Of(weight) : null,
            bias is not null && bias.RequiresGrad ? Gradients.Of(bias) : null));
    }
}

using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine;

public static partial class Ops
{
    /// <summary>
    /// Softmax over the last dimension after adding an optional key mask: for scores [B, ..., Tk] and
    /// <paramref name="additiveMask"/> [B, Tk] (0 = attend, −10000 = padding), every row of batch b gets mask row b.
    /// </summary>
    public static Tensor Softmax(Tensor x, Tensor? additiveMask = null)
    {
        var device = Device.Common("Softmax", x, additiveMask);
        int columns = x.Dim(-1);
        int rowsPerMaskRow = 1;
        if (additiveMask is not null)
        {
            if (additiveMask.Dim(-1) != columns || x.Size % additiveMask.Size != 0 || x.Dim(0) != additiveMask.Dim(0))
            {
                throw new ArgumentException($"Softmax: mask {Tensor.FormatShape(additiveMask.Shape)} does not fit scores {Tensor.FormatShape(x.Shape)}; it must be [batch, columns].");
            }
            rowsPerMaskRow = x.Size / additiveMask.Size;
        }
        var output = Tensor.Uninitialized(device, x.ShapeArray());
        TensorKernels.SoftmaxForward(x, additiveMask, rowsPerMaskRow, output, columns);
        return Gradients.Record(output, "Softmax", [x], outputGrad =>
            TensorKernels.SoftmaxBackward(output, outputGrad, Gradients.Of(x), columns));
    }

    /// <summary>log(softmax(x)) over the last dimension, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        int columns = x.Dim(-1);
        var output = Tensor.Uninitialized(x.Device, x.ShapeArray());
        TensorKernels.LogSoftmaxForward(x, output, columns);
        return Gradients.Record(output, "LogSoftmax", [x], outputGrad =>
            TensorKernels.LogSoftmaxBackward(output, outputGrad, Gradients.Of(x), columns));
    }

    /// <summary>Layer normalisation over the last dimension with a learned scale (weight) and shift (bias).</summary>
    public static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias, float eps)
    {
        var device = Device.Common("LayerNorm", x, weight, bias);
        int columns = weight.Size;
        if (x.Dim(-1) != columns || bias.Size != columns)
        {
            throw new ArgumentException($"LayerNorm: input {Tensor.FormatShape(x.Shape)}, weight {Tensor.FormatShape(weight.Shape)} and bias {Tensor.FormatShape(bias.Shape)} do not fit.");
        }
        int rows = x.Size / columns;
        var output = Tensor.Uninitialized(device, x.ShapeArray());
        var mean = Tensor.Uninitialized(device, rows);
        var rstd = Tensor.Uninitialized(device, rows);
        TensorKernels.LayerNormForward(x, weight, bias, eps, output, mean, rstd);
        return Gradients.Record(output, "LayerNorm", [x, weight, bias], outputGrad =>
        {
            // The kernel computes all three gradients at once; inputs that need none get a throwaway buffer.
            var inputGrad = x.RequiresGrad ? Gradients.Of(x) : Tensor.Zeros(device, x.ShapeArray());
            var weightGrad = weight.RequiresGrad ? Gradients.Of(weight) : Tensor.Zeros(device, columns);
            var biasGrad = bias.RequiresGrad ? Gradients.Of(bias) : Tensor.Zeros(device, columns);
            TensorKernels.LayerNormBackward(x, weight, mean, rstd, outputGrad, inputGrad, weightGrad, biasGrad);
        });
    }

    /// <summary>The target of a row that <see cref="CrossEntropy"/> ignores (PyTorch's default ignore_index).</summary>
    public const int IgnoreIndex = -100;

    /// <summary>
    /// Mean cross-entropy of logits [N, C] against class targets [N]; rows whose target is <see cref="IgnoreIndex"/> are ignored
    /// (PyTorch's ignore_index). Log-softmax is fused in: no [N, C] probability tensor is kept.
    /// Returns a one-element tensor; 0 when every row is ignored.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets)
    {
        int classes = logits.Dim(-1);
        int rows = logits.Size / classes;
        if (targets.Length != rows)
        {
            throw new ArgumentException($"CrossEntropy: {targets.Length} targets for {rows} rows of logits {Tensor.FormatShape(logits.Shape)}.");
        }
        var logSumExp = Tensor.Uninitialized(logits.Device, rows);
        var output = Tensor.Uninitialized(logits.Device, 1);
        int count = TensorKernels.CrossEntropyLoss(logits, targets, logSumExp, output, classes);
        return Gradients.Record(output, "CrossEntropy", [logits], outputGrad =>
        {
            if (count > 0)
            {
                // dlogits = dloss/count · (softmax(logits) − onehot(target)) on kept rows, written when new
                var (logitsGrad, isFresh) = Gradients.OfForWriting(logits);
                TensorKernels.CrossEntropyBackward(logits, targets, logSumExp, outputGrad, count, logitsGrad, classes, accumulate: !isFresh);
            }
        });
    }
}

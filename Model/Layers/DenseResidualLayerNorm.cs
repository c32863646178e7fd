using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// The "output" block BERT uses twice per layer (attention.output and output):
/// output = LayerNorm(Dropout(input · Wᵀ + b) + residual).
/// </summary>
public sealed class DenseResidualLayerNorm(ParameterBuffer parameters, BertConfig config, string prefix)
{
    public Tensor DenseWeight { get; } = parameters[prefix + "dense.weight"];        // [H, In]
    public Tensor DenseBias { get; } = parameters[prefix + "dense.bias"];            // [H]
    public Tensor LayerNormWeight { get; } = parameters[prefix + "LayerNorm.weight"]; // [H]
    public Tensor LayerNormBias { get; } = parameters[prefix + "LayerNorm.bias"];     // [H]

    /// <summary>input: [B, T, In]; residual: [B, T, H]. Returns [B, T, H].</summary>
    public Tensor Forward(Tensor input, Tensor residual, ForwardContext context)
    {
        int hidden = config.HiddenSize;
        int rows = residual.Size / hidden;

        // dense: [B, T, H] = input · Wᵀ + b
        var dense = Tensor.Uninitialized(residual.ShapeArray());
        LinearKernels.Forward(input, DenseWeight, DenseBias, dense);

        // sum: [B, T, H] = Dropout(dense) + residual
        var (dropped, dropoutMask) = context.Dropout(dense, config.HiddenDropoutProb);
        var sum = Tensor.Uninitialized(residual.ShapeArray());
        TensorPrimitives.Add(dropped.Span, residual.Span, sum.Span);

        // output: [B, T, H] = LayerNorm(sum); mean, rstd: [B·T]
        var output = Tensor.Uninitialized(residual.ShapeArray());
        var mean = Tensor.Uninitialized(rows);
        var rstd = Tensor.Uninitialized(rows);
        LayerNormKernels.Forward(sum.Memory, LayerNormWeight.Memory, LayerNormBias.Memory, config.LayerNormEps, output.Memory, mean.Memory, rstd.Memory);

        return Gradients.Record(output, "DenseResidualLayerNorm", [input, residual, DenseWeight, DenseBias, LayerNormWeight, LayerNormBias],
            outputGrad => Backward(outputGrad, input, residual, sum, mean, rstd, dropoutMask));
    }

    private void Backward(Tensor outputGrad, Tensor input, Tensor residual, Tensor sum, Tensor mean, Tensor rstd, Tensor? dropoutMask)
    {
        // sumGrad: [B, T, H] through LayerNorm (its weight and bias gradients accumulate directly)
        var sumGrad = Tensor.Zeros(sum.ShapeArray());
        LayerNormKernels.Backward(sum.Memory, LayerNormWeight.Memory, mean.Memory, rstd.Memory, outputGrad.Memory,
            sumGrad.Memory, Gradients.Of(LayerNormWeight).Memory, Gradients.Of(LayerNormBias).Memory);

        // The sum passes its gradient unchanged to both of its terms.
        var residualGrad = Gradients.Of(residual).Span;
        TensorPrimitives.Add(residualGrad, sumGrad.Span, residualGrad);
        var denseGrad = ForwardContext.DropoutBackward(sumGrad, dropoutMask);

        // input, weight and bias gradients of the dense projection
        LinearKernels.Backward(denseGrad, input, DenseWeight,
            input.RequiresGrad ? Gradients.Of(input) : null, Gradients.Of(DenseWeight), Gradients.Of(DenseBias));
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// The "output" block BERT uses twice per layer (attention.output and output):
/// output = LayerNorm(Dropout(input · Wᵀ + b) + residual).
/// </summary>
public sealed class DenseResidualLayerNorm(LinearParameters dense, LayerNormParameters layerNorm, BertConfig config)
{
    public Tensor DenseWeight => dense.Weight;          // [H, In]
    public Tensor DenseBias => dense.Bias;              // [H]
    public Tensor LayerNormWeight => layerNorm.Weight;  // [H]
    public Tensor LayerNormBias => layerNorm.Bias;      // [H]

    /// <summary>input: [B, T, In]; residual: [B, T, H]. Returns [B, T, H].</summary>
    public Tensor Forward(Tensor input, Tensor residual, ForwardContext context)
    {
        int rows = residual.Size / config.HiddenSize;

        // dense: [B, T, H] = input · Wᵀ (the bias is added by the fused kernel below)
        var device = residual.Device;
        var dense = Tensor.Uninitialized(device, residual.ShapeArray());
        TensorKernels.LinearForward(input, DenseWeight, bias: null, dense);

        // In one pass over the rows: sum = Dropout(dense + b) + residual, output = LayerNorm(sum); mean, rstd: [B·T]
        var (dropoutProbability, dropoutSeed) = context.NextDropoutSite(config.HiddenDropoutProb);
        Tensor? dropoutMask = dropoutProbability > 0 ? Tensor.Uninitialized(device, residual.ShapeArray()) : null;
        var sum = dense; // overwritten row by row: dense is not needed afterwards
        var output = Tensor.Uninitialized(device, residual.ShapeArray());
        var mean = Tensor.Uninitialized(device, rows);
        var rstd = Tensor.Uninitialized(device, rows);
        TensorKernels.ResidualLayerNormForward(dense, DenseBias, residual, dropoutProbability, dropoutSeed,
            LayerNormWeight, LayerNormBias, config.LayerNormEps, dropoutMask, sum, output, mean, rstd);

        return Gradients.Record(output, "DenseResidualLayerNorm", [input, residual, DenseWeight, DenseBias, LayerNormWeight, LayerNormBias],
            outputGrad => Backward(outputGrad, input, residual, sum, mean, rstd, dropoutMask));
    }

    private void Backward(Tensor outputGrad, Tensor input, Tensor residual, Tensor sum, Tensor mean, Tensor rstd, Tensor? dropoutMask)
    {
        // In one pass: d(sum) through LayerNorm, added to d(residual); denseGrad = d(sum) through dropout;
        // the LayerNorm weight and bias gradients and the dense bias gradient.
        var denseGrad = Tensor.Uninitialized(sum.Device, sum.ShapeArray());
        TensorKernels.ResidualLayerNormBackward(sum, LayerNormWeight, mean, rstd, dropoutMask, outputGrad, Gradients.Of(residual), denseGrad,
            Gradients.Of(LayerNormWeight), Gradients.Of(LayerNormBias), Gradients.Of(DenseBias));

        // input and weight gradients of the dense projection
        TensorKernels.LinearBackward(denseGrad, input, DenseWeight,
            input.RequiresGrad ? Gradients.Of(input) : null, Gradients.Of(DenseWeight), biasGrad: null);
    }
}

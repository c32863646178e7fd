using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Layers;

/// <summary>bert.encoder.layer.{i}.intermediate: the feed-forward expansion, GELU(x · Wᵀ + b).</summary>
public sealed class BertIntermediate(LinearParameters dense, BertConfig config)
{
    public Tensor DenseWeight => dense.Weight; // [I, H]
    public Tensor DenseBias => dense.Bias;     // [I]

    /// <summary>hidden: [B, T, H]. Returns [B, T, I].</summary>
    public Tensor Forward(Tensor hidden)
    {
        // preActivation: [B, T, I] = hidden · Wᵀ + b;  output: [B, T, I] = GELU(preActivation)
        var preActivation = Tensor.Uninitialized(hidden.Device, hidden.Dim(0), hidden.Dim(1), config.IntermediateSize);
        TensorKernels.LinearForward(hidden, DenseWeight, bias: null, preActivation);
        var output = Tensor.Uninitialized(hidden.Device, preActivation.ShapeArray());
        TensorKernels.BiasGeluForward(preActivation, DenseBias, output);

        return Gradients.Record(output, "BertIntermediate", [hidden, DenseWeight, DenseBias],
            outputGrad => Backward(outputGrad, hidden, preActivation, output));
    }

    private void Backward(Tensor outputGrad, Tensor hidden, Tensor preActivation, Tensor output)
    {
        // preActivationGrad = dOutput ⊙ GELU'(preActivation); dBias += Σ_rows preActivationGrad
        var preActivationGrad = Tensor.Uninitialized(preActivation.Device, preActivation.ShapeArray());
        TensorKernels.BiasGeluBackward(preActivation, output, outputGrad, preActivationGrad, Gradients.Of(DenseBias));
        TensorKernels.LinearBackward(preActivationGrad, hidden, DenseWeight, Gradients.Of(hidden), Gradients.Of(DenseWeight), biasGrad: null);
    }
}

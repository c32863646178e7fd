using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Model.Layers;

/// <summary>bert.encoder.layer.{i}.intermediate: the feed-forward expansion, GELU(x · Wᵀ + b).</summary>
public sealed class BertIntermediate(ParameterBuffer parameters, BertConfig config, int layerIndex)
{
    public Tensor DenseWeight { get; } = parameters[$"bert.encoder.layer.{layerIndex}.intermediate.dense.weight"]; // [I, H]
    public Tensor DenseBias { get; } = parameters[$"bert.encoder.layer.{layerIndex}.intermediate.dense.bias"];     // [I]

    /// <summary>hidden: [B, T, H]. Returns [B, T, I].</summary>
    public Tensor Forward(Tensor hidden)
    {
        // preActivation: [B, T, I] = hidden · Wᵀ + b;  output: [B, T, I] = GELU(preActivation)
        var preActivation = Tensor.Uninitialized(hidden.Dim(0), hidden.Dim(1), config.IntermediateSize);
        LinearKernels.Forward(hidden, DenseWeight, bias: null, preActivation);
        var output = Tensor.Uninitialized(preActivation.ShapeArray());
        BiasGeluKernels.Forward(preActivation.Memory, DenseBias.Memory, output.Memory);

        return Gradients.Record(output, "BertIntermediate", [hidden, DenseWeight, DenseBias],
            outputGrad => Backward(outputGrad, hidden, preActivation));
    }

    private void Backward(Tensor outputGrad, Tensor hidden, Tensor preActivation)
    {
        // preActivationGrad = dOutput ⊙ GELU'(preActivation); dBias += Σ_rows preActivationGrad
        var preActivationGrad = Tensor.Uninitialized(preActivation.ShapeArray());
        BiasGeluKernels.Backward(preActivation.Memory, outputGrad.Memory, preActivationGrad.Memory, Gradients.Of(DenseBias).Memory);
        LinearKernels.Backward(preActivationGrad, hidden, DenseWeight, Gradients.Of(hidden), Gradients.Of(DenseWeight), biasGrad: null);
    }
}

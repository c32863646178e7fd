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
        // preActivation: [B, T, I] = hidden · Wᵀ + b
        var preActivation = Tensor.Uninitialized(hidden.Dim(0), hidden.Dim(1), config.IntermediateSize);
        LinearKernels.Forward(hidden, DenseWeight, DenseBias, preActivation);

        // output: [B, T, I] = GELU(preActivation)
        var output = Tensor.Uninitialized(preActivation.ShapeArray());
        ActivationKernels.GeluForward(preActivation.Memory, output.Memory);

        return Gradients.Record(output, "BertIntermediate", [hidden, DenseWeight, DenseBias],
            outputGrad => Backward(outputGrad, hidden, preActivation));
    }

    private void Backward(Tensor outputGrad, Tensor hidden, Tensor preActivation)
    {
        // preActivationGrad = dOutput ⊙ GELU'(preActivation)
        var preActivationGrad = Tensor.Zeros(preActivation.ShapeArray());
        ActivationKernels.GeluBackward(preActivation.Memory, outputGrad.Memory, preActivationGrad.Memory);
        LinearKernels.Backward(preActivationGrad, hidden, DenseWeight, Gradients.Of(hidden), Gradients.Of(DenseWeight), Gradients.Of(DenseBias));
    }
}

using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Model.Layers;

/// <summary>bert.pooler: tanh(dense) of each sequence's first token ([CLS]), the input of sentence-level heads.</summary>
public sealed class BertPooler(ParameterBuffer parameters)
{
    public Tensor DenseWeight { get; } = parameters["bert.pooler.dense.weight"]; // [H, H]
    public Tensor DenseBias { get; } = parameters["bert.pooler.dense.bias"];     // [H]

    /// <summary>sequenceOutput: [B, T, H]. Returns pooled [B, H].</summary>
    public Tensor Forward(Tensor sequenceOutput)
    {
        int batch = sequenceOutput.Dim(0), length = sequenceOutput.Dim(1), hidden = sequenceOutput.Dim(2);
        var clsRows = Enumerable.Range(0, batch).Select(b => b * length).ToArray();

        // cls: [B, H] = sequenceOutput[:, 0, :]
        var cls = Tensor.Uninitialized(batch, hidden);
        GatherKernels.GatherRows(sequenceOutput.Memory, clsRows, cls.Memory, hidden);

        // pooled: [B, H] = tanh(cls · Wᵀ + b)
        var preActivation = Tensor.Uninitialized(batch, hidden);
        LinearKernels.Forward(cls, DenseWeight, DenseBias, preActivation);
        var pooled = Tensor.Uninitialized(batch, hidden);
        TensorPrimitives.Tanh(preActivation.Span, pooled.Span);

        return Gradients.Record(pooled, "BertPooler", [sequenceOutput, DenseWeight, DenseBias],
            pooledGrad => Backward(pooledGrad, sequenceOutput, clsRows, cls, pooled));
    }

    private void Backward(Tensor pooledGrad, Tensor sequenceOutput, int[] clsRows, Tensor cls, Tensor pooled)
    {
        // preActivationGrad = dPooled ⊙ (1 − pooled²)
        var preActivationGrad = Tensor.Zeros(pooled.ShapeArray());
        ActivationKernels.TanhBackward(pooled.Memory, pooledGrad.Memory, preActivationGrad.Memory);

        // clsGrad: [B, H], then back into the [CLS] rows of the sequence
        var clsGrad = Tensor.Zeros(cls.ShapeArray());
        LinearKernels.Backward(preActivationGrad, cls, DenseWeight, clsGrad, Gradients.Of(DenseWeight), Gradients.Of(DenseBias));
        GatherKernels.ScatterAddRows(clsGrad.Memory, clsRows, Gradients.Of(sequenceOutput).Memory, sequenceOutput.Dim(2));
    }
}

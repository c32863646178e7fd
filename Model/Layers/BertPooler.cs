using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Layers;

/// <summary>bert.pooler: tanh(dense) of each sequence's first token ([CLS]), the input of sentence-level heads.</summary>
public sealed class BertPooler(LinearParameters dense)
{
    public Tensor DenseWeight => dense.Weight; // [H, H]
    public Tensor DenseBias => dense.Bias;     // [H]

    /// <summary>sequenceOutput: [B, T, H]. Returns pooled [B, H].</summary>
    public Tensor Forward(Tensor sequenceOutput)
    {
        int batch = sequenceOutput.Dim(0), length = sequenceOutput.Dim(1), hidden = sequenceOutput.Dim(2);
        var clsRows = Enumerable.Range(0, batch).Select(b => b * length).ToArray();

        // cls: [B, H] = sequenceOutput[:, 0, :]
        var device = sequenceOutput.Device;
        var cls = Tensor.Uninitialized(device, batch, hidden);
        TensorKernels.GatherRows(sequenceOutput, clsRows, cls, hidden);

        // pooled: [B, H] = tanh(cls · Wᵀ + b)
        var preActivation = Tensor.Uninitialized(device, batch, hidden);
        TensorKernels.LinearForward(cls, DenseWeight, DenseBias, preActivation);
        var pooled = Tensor.Uninitialized(device, batch, hidden);
        TensorKernels.TanhForward(preActivation, pooled);

        return Gradients.Record(pooled, "BertPooler", [sequenceOutput, DenseWeight, DenseBias],
            pooledGrad => Backward(pooledGrad, sequenceOutput, clsRows, cls, pooled));
    }

    private void Backward(Tensor pooledGrad, Tensor sequenceOutput, int[] clsRows, Tensor cls, Tensor pooled)
    {
        // preActivationGrad = dPooled ⊙ (1 − pooled²)
        var preActivationGrad = Tensor.Zeros(pooled.Device, pooled.ShapeArray());
        TensorKernels.TanhBackward(pooled, pooledGrad, preActivationGrad);

        // clsGrad: [B, H], then back into the [CLS] rows of the sequence
        var clsGrad = Tensor.Zeros(cls.Device, cls.ShapeArray());
        TensorKernels.LinearBackward(preActivationGrad, cls, DenseWeight, clsGrad, Gradients.Of(DenseWeight), Gradients.Of(DenseBias));
        TensorKernels.ScatterAddRows(clsGrad, clsRows, Gradients.Of(sequenceOutput), sequenceOutput.Dim(2));
    }
}

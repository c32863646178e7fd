using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Layers;

/// <summary>cls.seq_relationship: two logits from the pooled [CLS] vector (0 = B follows A, 1 = B is random).</summary>
public sealed class NextSentenceHead(LinearParameters seqRelationship)
{
    public Tensor Weight => seqRelationship.Weight; // [2, H]
    public Tensor Bias => seqRelationship.Bias;     // [2]

    /// <summary>pooled: [B, H]. Returns logits [B, 2].</summary>
    public Tensor Forward(Tensor pooled)
    {
        var logits = Tensor.Uninitialized(pooled.Device, pooled.Dim(0), 2);
        TensorKernels.LinearForward(pooled, Weight, Bias, logits);
        return Gradients.Record(logits, "NextSentenceHead", [pooled, Weight, Bias],
            logitsGrad => TensorKernels.LinearBackward(logitsGrad, pooled, Weight, Gradients.Of(pooled), Gradients.Of(Weight), Gradients.Of(Bias)));
    }
}

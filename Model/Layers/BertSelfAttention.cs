using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// bert.encoder.layer.{i}.attention.self: multi-head scaled dot-product self-attention with a padding mask.
/// For each head h: context_h = Dropout(softmax(Q_h·K_hᵀ/√d + mask))·V_h, and the heads are concatenated.
/// </summary>
public sealed class BertSelfAttention(ParameterBuffer parameters, BertConfig config, int layerIndex)
{
    private readonly string _prefix = $"bert.encoder.layer.{layerIndex}.attention.self.";

    public Tensor QueryWeight => parameters[_prefix + "query.weight"]; // [H, H]
    public Tensor QueryBias => parameters[_prefix + "query.bias"];     // [H]
    public Tensor KeyWeight => parameters[_prefix + "key.weight"];
    public Tensor KeyBias => parameters[_prefix + "key.bias"];
    public Tensor ValueWeight => parameters[_prefix + "value.weight"];
    public Tensor ValueBias => parameters[_prefix + "value.bias"];

    /// <summary>hidden: [B, T, H]; additiveMask: [B, T] (0 = real token, −10000 = padding). Returns context [B, T, H].</summary>
    public Tensor Forward(Tensor hidden, Tensor additiveMask, ForwardContext context)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1), width = config.HiddenSize;
        int heads = config.NumAttentionHeads, headSize = config.HeadSize;
        float scale = 1f / MathF.Sqrt(headSize);

        // query, key, value: [B, T, H] = hidden · Wᵀ + b, then split into heads: [B, heads, T, d]
        var queryHeads = ProjectToHeads(hidden, QueryWeight, QueryBias);
        var keyHeads = ProjectToHeads(hidden, KeyWeight, KeyBias);
        var valueHeads = ProjectToHeads(hidden, ValueWeight, ValueBias);

        // scores: [B, heads, T, T] = Q · Kᵀ / √d
        var scores = Tensor.Uninitialized(batch, heads, length, length);
        MatMulKernels.Multiply(false, true, length, length, headSize, queryHeads, keyHeads, scores, alpha: scale, batch: batch * heads);

        // attentionProbs: [B, heads, T, T] = softmax(scores + mask) over the keys
        var attentionProbs = Tensor.Uninitialized(batch, heads, length, length);
        SoftmaxKernels.SoftmaxForward(scores.Memory, additiveMask.Memory, heads * length, attentionProbs.Memory, length);
        context.AttentionProbabilities?.Add(Tensor.FromArray(attentionProbs.ToArray(), batch, heads, length, length));

        // droppedProbs: [B, heads, T, T] = Dropout(attentionProbs)
        var (droppedProbs, dropoutMask) = context.Dropout(attentionProbs, config.AttentionProbsDropoutProb);

        // contextHeads: [B, heads, T, d] = droppedProbs · V
        var contextHeads = Tensor.Uninitialized(batch, heads, length, headSize);
        MatMulKernels.Multiply(false, false, length, headSize, length, droppedProbs, valueHeads, contextHeads, batch: batch * heads);

        // output: [B, T, H], the heads side by side again
        var output = Tensor.Uninitialized(batch, length, width);
        PermuteKernels.Permute(contextHeads.Memory, [batch, heads, length, headSize], [0, 2, 1, 3], output.Memory, accumulate: false);

        return Gradients.Record(output, "BertSelfAttention", [hidden, QueryWeight, QueryBias, KeyWeight, KeyBias, ValueWeight, ValueBias],
            outputGrad => Backward(outputGrad, hidden, queryHeads, keyHeads, valueHeads, attentionProbs, droppedProbs, dropoutMask, scale));
    }

    /// <summary>The forward in reverse order, from d(output) to d(hidden) and the six parameter gradients.</summary>
    private void Backward(Tensor outputGrad, Tensor hidden, Tensor queryHeads, Tensor keyHeads, Tensor valueHeads,
        Tensor attentionProbs, Tensor droppedProbs, Tensor? dropoutMask, float scale)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1);
        int heads = config.NumAttentionHeads, headSize = config.HeadSize;
        int pairs = batch * heads;

        // contextHeadsGrad: [B, heads, T, d] — undo the head merge
        var contextHeadsGrad = Tensor.Uninitialized(batch, heads, length, headSize);
        PermuteKernels.Permute(outputGrad.Memory, [batch, length, heads, headSize], [0, 2, 1, 3], contextHeadsGrad.Memory, accumulate: false);

        // droppedProbsGrad: [B, heads, T, T] = dContext · Vᵀ;  valueHeadsGrad: [B, heads, T, d] = droppedProbsᵀ · dContext
        var droppedProbsGrad = Tensor.Uninitialized(batch, heads, length, length);
        MatMulKernels.Multiply(false, true, length, length, headSize, contextHeadsGrad, valueHeads, droppedProbsGrad, batch: pairs);
        var valueHeadsGrad = Tensor.Uninitialized(batch, heads, length, headSize);
        MatMulKernels.Multiply(true, false, length, headSize, length, droppedProbs, contextHeadsGrad, valueHeadsGrad, batch: pairs);

        // probsGrad through dropout, then scoresGrad = softmax backward
        var probsGrad = ForwardContext.DropoutBackward(droppedProbsGrad, dropoutMask);
        var scoresGrad = Tensor.Zeros(batch, heads, length, length);
        SoftmaxKernels.SoftmaxBackward(attentionProbs.Memory, probsGrad.Memory, scoresGrad.Memory, length);

        // queryHeadsGrad = dScores · K / √d;  keyHeadsGrad = dScoresᵀ · Q / √d   (both [B, heads, T, d])
        var queryHeadsGrad = Tensor.Uninitialized(batch, heads, length, headSize);
        MatMulKernels.Multiply(false, false, length, headSize, length, scoresGrad, keyHeads, queryHeadsGrad, alpha: scale, batch: pairs);
        var keyHeadsGrad = Tensor.Uninitialized(batch, heads, length, headSize);
        MatMulKernels.Multiply(true, false, length, headSize, length, scoresGrad, queryHeads, keyHeadsGrad, alpha: scale, batch: pairs);

        // Back through the three projections; their input gradients all add into d(hidden).
        var hiddenGrad = Gradients.Of(hidden);
        ProjectFromHeadsBackward(queryHeadsGrad, hidden, QueryWeight, QueryBias, hiddenGrad);
        ProjectFromHeadsBackward(keyHeadsGrad, hidden, KeyWeight, KeyBias, hiddenGrad);
        ProjectFromHeadsBackward(valueHeadsGrad, hidden, ValueWeight, ValueBias, hiddenGrad);
    }

    /// <summary>hidden [B, T, H] · Wᵀ + b, reshaped to [B, T, heads, d] and permuted to [B, heads, T, d].</summary>
    private Tensor ProjectToHeads(Tensor hidden, Tensor weight, Tensor bias)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1);
        var projected = Tensor.Uninitialized(batch, length, config.HiddenSize);
        LinearKernels.Forward(hidden, weight, bias, projected);
        var headsFirst = Tensor.Uninitialized(batch, config.NumAttentionHeads, length, config.HeadSize);
        PermuteKernels.Permute(projected.Memory, [batch, length, config.NumAttentionHeads, config.HeadSize], [0, 2, 1, 3], headsFirst.Memory, accumulate: false);
        return headsFirst;
    }

    /// <summary>The backward of <see cref="ProjectToHeads"/>: merge the heads' gradient, then the linear layer's backward.</summary>
    private void ProjectFromHeadsBackward(Tensor headsGrad, Tensor hidden, Tensor weight, Tensor bias, Tensor hiddenGrad)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1);
        var projectedGrad = Tensor.Uninitialized(batch, length, config.HiddenSize);
        PermuteKernels.Permute(headsGrad.Memory, [batch, config.NumAttentionHeads, length, config.HeadSize], [0, 2, 1, 3], projectedGrad.Memory, accumulate: false);
        LinearKernels.Backward(projectedGrad, hidden, weight, hiddenGrad, Gradients.Of(weight), Gradients.Of(bias));
    }
}

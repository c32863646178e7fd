using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// bert.encoder.layer.{i}.attention.self: multi-head scaled dot-product self-attention with a padding mask.
/// For each head h: context_h = Dropout(softmax(Q_h·K_hᵀ/√d + mask))·V_h, and the heads are concatenated.
/// Q, K, V and the context stay [B, T, H]: head h is columns h·d … h·d + d − 1, which the per-head matrix
/// products read and write in place (no transposed copies).
/// </summary>
public sealed class BertSelfAttention(EncoderLayerParameters parameters, BertConfig config)
{
    public Tensor QueryWeight => parameters.Query.Weight; // [H, H]
    public Tensor QueryBias => parameters.Query.Bias;     // [H]
    public Tensor KeyWeight => parameters.Key.Weight;
    public Tensor KeyBias => parameters.Key.Bias;
    public Tensor ValueWeight => parameters.Value.Weight;
    public Tensor ValueBias => parameters.Value.Bias;

    /// <summary>hidden: [B, T, H]; additiveMask: [B, T] (0 = real token, −10000 = padding). Returns context [B, T, H].</summary>
    public Tensor Forward(Tensor hidden, Tensor additiveMask, ForwardContext context)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1), width = config.HiddenSize;
        int heads = config.NumAttentionHeads, headSize = config.HeadSize;
        float scale = 1f / MathF.Sqrt(headSize);
        var device = hidden.Device;

        // query, key, value: [B, T, H] = hidden · Wᵀ + b
        var query = Project(hidden, QueryWeight, QueryBias);
        var key = Project(hidden, KeyWeight, KeyBias);
        var value = Project(hidden, ValueWeight, ValueBias);

        // scores: [B, heads, T, T] = Q_h · K_hᵀ / √d for every head
        var scores = Tensor.Uninitialized(device, batch, heads, length, length);
        TensorKernels.MultiplyPerHead(false, true, length, length, headSize, Heads(query), Heads(key), Square(scores), batch, heads, alpha: scale);

        // attentionProbs: [B, heads, T, T] = softmax(scores + mask) over the keys
        var attentionProbs = Tensor.Uninitialized(device, batch, heads, length, length);
        TensorKernels.SoftmaxForward(scores, additiveMask, heads * length, attentionProbs, length);
        context.AttentionProbabilities?.Add(Tensor.FromArray(attentionProbs.ToArray(), batch, heads, length, length));

        // droppedProbs: [B, heads, T, T] = Dropout(attentionProbs)
        var (droppedProbs, dropoutMask) = context.Dropout(attentionProbs, config.AttentionProbsDropoutProb);

        // output: [B, T, H], head h's context droppedProbs_h · V_h written into its own columns
        var output = Tensor.Uninitialized(device, batch, length, width);
        TensorKernels.MultiplyPerHead(false, false, length, headSize, length, Square(droppedProbs), Heads(value), Heads(output), batch, heads);

        return Gradients.Record(output, "BertSelfAttention", [hidden, QueryWeight, QueryBias, KeyWeight, KeyBias, ValueWeight, ValueBias],
            outputGrad => Backward(outputGrad, hidden, query, key, value, attentionProbs, droppedProbs, dropoutMask, scale));
    }

    /// <summary>The forward in reverse order, from d(output) to d(hidden) and the six parameter gradients.</summary>
    private void Backward(Tensor outputGrad, Tensor hidden, Tensor query, Tensor key, Tensor value,
        Tensor attentionProbs, Tensor droppedProbs, Tensor? dropoutMask, float scale)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1);
        int heads = config.NumAttentionHeads, headSize = config.HeadSize;

        // droppedProbsGrad: [B, heads, T, T] = dContext_h · V_hᵀ;  valueGrad: [B, T, H] = droppedProbs_hᵀ · dContext_h
        var device = hidden.Device;
        var droppedProbsGrad = Tensor.Uninitialized(device, batch, heads, length, length);
        TensorKernels.MultiplyPerHead(false, true, length, length, headSize, Heads(outputGrad), Heads(value), Square(droppedProbsGrad), batch, heads);
        var valueGrad = Tensor.Uninitialized(device, hidden.ShapeArray());
        TensorKernels.MultiplyPerHead(true, false, length, headSize, length, Square(droppedProbs), Heads(outputGrad), Heads(valueGrad), batch, heads);

        // scoresGrad: [B, heads, T, T] through dropout and softmax, in one pass
        var scoresGrad = Tensor.Uninitialized(device, batch, heads, length, length);
        TensorKernels.SoftmaxDropoutBackward(attentionProbs, droppedProbsGrad, dropoutMask, scoresGrad, length);

        // queryGrad = dScores_h · K_h / √d;  keyGrad = dScores_hᵀ · Q_h / √d   (both [B, T, H])
        var queryGrad = Tensor.Uninitialized(device, hidden.ShapeArray());
        TensorKernels.MultiplyPerHead(false, false, length, headSize, length, Square(scoresGrad), Heads(key), Heads(queryGrad), batch, heads, alpha: scale);
        var keyGrad = Tensor.Uninitialized(device, hidden.ShapeArray());
        TensorKernels.MultiplyPerHead(true, false, length, headSize, length, Square(scoresGrad), Heads(query), Heads(keyGrad), batch, heads, alpha: scale);

        // Back through the three projections; their input gradients all add into d(hidden).
        var hiddenGrad = Gradients.Of(hidden);
        TensorKernels.LinearBackward(queryGrad, hidden, QueryWeight, hiddenGrad, Gradients.Of(QueryWeight), Gradients.Of(QueryBias));
        TensorKernels.LinearBackward(keyGrad, hidden, KeyWeight, hiddenGrad, Gradients.Of(KeyWeight), Gradients.Of(KeyBias));
        TensorKernels.LinearBackward(valueGrad, hidden, ValueWeight, hiddenGrad, Gradients.Of(ValueWeight), Gradients.Of(ValueBias));
    }

    /// <summary>hidden [B, T, H] · Wᵀ + b.</summary>
    private static Tensor Project(Tensor hidden, Tensor weight, Tensor bias)
    {
        var projected = Tensor.Uninitialized(hidden.Device, hidden.ShapeArray());
        TensorKernels.LinearForward(hidden, weight, bias, projected);
        return projected;
    }

    /// <summary>The heads of a [B, T, H] tensor: head h of item b is a [T, d] matrix with rows H apart.</summary>
    private StridedMatrices Heads(Tensor activations) =>
        new(activations, config.HiddenSize, config.HeadSize, (long)activations.Dim(1) * config.HiddenSize);

    /// <summary>The [T, T] matrices of a [B, heads, T, T] tensor, stored one after another.</summary>
    private static StridedMatrices Square(Tensor scores)
    {
        int length = scores.Dim(-1);
        return new(scores, length, (long)length * length, (long)scores.Dim(1) * length * length);
    }
}

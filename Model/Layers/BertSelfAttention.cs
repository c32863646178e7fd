using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// bert.encoder.layer.{i}.attention.self: multi-head scaled dot-product self-attention with a padding mask.
/// For each head h: context_h = Dropout(softmax(Q_h·K_hᵀ/√d + mask))·V_h, and the heads are concatenated.
/// Q, K and V come from one fused projection [B, T, 3·H] = [Q | K | V] (one wide GEMM instead of three narrow
/// ones); the context is [B, T, H]. Head h of each is columns h·d … h·d + d − 1 of its part, which the per-head
/// matrix products read and write in place (no transposed copies).
/// </summary>
public sealed class BertSelfAttention(ParameterBuffer parameters, BertConfig config, int layerIndex)
{
    /// <summary>The parts of the fused projection [B, T, 3H], in column order.</summary>
    private const int Query = 0, Key = 1, Value = 2;

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

        // qkv: [B, T, 3H] = hidden · [W_q; W_k; W_v]ᵀ + [b_q; b_k; b_v]
        var (qkvWeight, qkvBias) = FusedProjection();
        var qkv = Tensor.Uninitialized(batch, length, 3 * width);
        LinearKernels.Forward(hidden, qkvWeight, qkvBias, qkv);
        var (query, key, value) = (Heads(qkv, Query), Heads(qkv, Key), Heads(qkv, Value));

        // scores: [B, heads, T, T] = Q_h · K_hᵀ / √d for every head
        var scores = Tensor.Uninitialized(batch, heads, length, length);
        MatMulKernels.MultiplyPerHead(false, true, length, length, headSize, query, key, Square(scores), batch, heads, alpha: scale);

        // attentionProbs: [B, heads, T, T] = softmax(scores + mask) over the keys
        var attentionProbs = Tensor.Uninitialized(batch, heads, length, length);
        SoftmaxKernels.SoftmaxForward(scores.Memory, additiveMask.Memory, heads * length, attentionProbs.Memory, length);
        context.AttentionProbabilities?.Add(Tensor.FromArray(attentionProbs.ToArray(), batch, heads, length, length));

        // droppedProbs: [B, heads, T, T] = Dropout(attentionProbs)
        var (droppedProbs, dropoutMask) = context.Dropout(attentionProbs, config.AttentionProbsDropoutProb);

        // output: [B, T, H], head h's context droppedProbs_h · V_h written into its own columns
        var output = Tensor.Uninitialized(batch, length, width);
        MatMulKernels.MultiplyPerHead(false, false, length, headSize, length, Square(droppedProbs), value, Heads(output), batch, heads);

        return Gradients.Record(output, "BertSelfAttention", [hidden, QueryWeight, QueryBias, KeyWeight, KeyBias, ValueWeight, ValueBias],
            outputGrad => Backward(outputGrad, hidden, qkv, qkvWeight, attentionProbs, droppedProbs, dropoutMask, scale));
    }

    /// <summary>The forward in reverse order, from d(output) to d(hidden) and the six parameter gradients.</summary>
    private void Backward(Tensor outputGrad, Tensor hidden, Tensor qkv, Tensor qkvWeight,
        Tensor attentionProbs, Tensor droppedProbs, Tensor? dropoutMask, float scale)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1), width = config.HiddenSize;
        int heads = config.NumAttentionHeads, headSize = config.HeadSize;
        var (query, key, value) = (Heads(qkv, Query), Heads(qkv, Key), Heads(qkv, Value));
        // qkvGrad: [B, T, 3H] = [dQ | dK | dV], every element written by one per-head product below
        var qkvGrad = Tensor.Uninitialized(batch, length, 3 * width);

        // droppedProbsGrad: [B, heads, T, T] = dContext_h · V_hᵀ;  dV_h = droppedProbs_hᵀ · dContext_h
        var droppedProbsGrad = Tensor.Uninitialized(batch, heads, length, length);
        MatMulKernels.MultiplyPerHead(false, true, length, length, headSize, Heads(outputGrad), value, Square(droppedProbsGrad), batch, heads);
        MatMulKernels.MultiplyPerHead(true, false, length, headSize, length, Square(droppedProbs), Heads(outputGrad), Heads(qkvGrad, Value), batch, heads);

        // scoresGrad: [B, heads, T, T] through dropout and softmax, in one pass
        var scoresGrad = Tensor.Uninitialized(batch, heads, length, length);
        SoftmaxKernels.SoftmaxDropoutBackward(attentionProbs.Memory, droppedProbsGrad.Memory,
            dropoutMask?.Memory ?? ReadOnlyMemory<float>.Empty, scoresGrad.Memory, length);

        // dQ_h = dScores_h · K_h / √d;  dK_h = dScores_hᵀ · Q_h / √d
        MatMulKernels.MultiplyPerHead(false, false, length, headSize, length, Square(scoresGrad), key, Heads(qkvGrad, Query), batch, heads, alpha: scale);
        MatMulKernels.MultiplyPerHead(true, false, length, headSize, length, Square(scoresGrad), query, Heads(qkvGrad, Key), batch, heads, alpha: scale);

        // Back through the fused projection: d(hidden) += dQKV · W_qkv; the weight and bias gradients [3H, H] and
        // [3H] are split back into the three parameters' gradients.
        var qkvWeightGrad = Tensor.Zeros(qkvWeight.ShapeArray());
        var qkvBiasGrad = Tensor.Zeros(3 * width);
        LinearKernels.Backward(qkvGrad, hidden, qkvWeight, Gradients.Of(hidden), qkvWeightGrad, qkvBiasGrad);
        Tensor[] weights = [QueryWeight, KeyWeight, ValueWeight], biases = [QueryBias, KeyBias, ValueBias];
        for (int part = 0; part < 3; part++)
        {
            var weightGrad = Gradients.Of(weights[part]).Span;
            var biasGrad = Gradients.Of(biases[part]).Span;
            TensorPrimitives.Add(weightGrad, qkvWeightGrad.Span.Slice(part * width * width, width * width), weightGrad);
            TensorPrimitives.Add(biasGrad, qkvBiasGrad.Span.Slice(part * width, width), biasGrad);
        }
    }

    /// <summary>The three projections stacked: weight [3H, H] = [W_q; W_k; W_v] and bias [3H], copied for this pass.</summary>
    private (Tensor Weight, Tensor Bias) FusedProjection()
    {
        int width = config.HiddenSize;
        var weight = Tensor.Uninitialized(3 * width, width);
        var bias = Tensor.Uninitialized(3 * width);
        Tensor[] weights = [QueryWeight, KeyWeight, ValueWeight], biases = [QueryBias, KeyBias, ValueBias];
        for (int part = 0; part < 3; part++)
        {
            weights[part].Span.CopyTo(weight.Span.Slice(part * width * width));
            biases[part].Span.CopyTo(bias.Span.Slice(part * width));
        }
        return (weight, bias);
    }

    /// <summary>The heads of a [B, T, H] tensor: head h of item b is a [T, d] matrix with rows H apart.</summary>
    private StridedMatrices Heads(Tensor activations) =>
        new(activations, config.HiddenSize, config.HeadSize, (long)activations.Dim(1) * config.HiddenSize);

    /// <summary>The heads of one part (Q, K or V) of a fused [B, T, 3H] tensor: [T, d] matrices with rows 3H apart.</summary>
    private StridedMatrices Heads(Tensor fused, int part)
    {
        int rowStride = 3 * config.HiddenSize;
        return new(fused, rowStride, config.HeadSize, (long)fused.Dim(1) * rowStride, Start: (long)part * config.HiddenSize);
    }

    /// <summary>The [T, T] matrices of a [B, heads, T, T] tensor, stored one after another.</summary>
    private static StridedMatrices Square(Tensor scores)
    {
        int length = scores.Dim(-1);
        return new(scores, length, (long)length * length, (long)scores.Dim(1) * length * length);
    }
}

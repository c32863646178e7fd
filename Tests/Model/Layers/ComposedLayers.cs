using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Tests.Model.Layers;

/// <summary>
/// Each hand-written layer rebuilt from Engine operations (Ops.*), whose backward comes from autograd.
/// The tests hold the two equal: same outputs, same gradients.
/// </summary>
internal static class ComposedLayers
{
    public static Tensor Embeddings(BertEmbeddings layer, BertConfig config, int[] inputIds, int[] tokenTypeIds, int batch, int length, ForwardContext context)
    {
        var positionIds = Enumerable.Range(0, batch * length).Select(i => i % length).ToArray();
        var sum = Ops.Add(Ops.Add(
            Ops.Embedding(layer.WordEmbeddings, inputIds, batch, length),
            Ops.Embedding(layer.PositionEmbeddings, positionIds, batch, length)),
            Ops.Embedding(layer.TokenTypeEmbeddings, tokenTypeIds, batch, length));
        var normalized = Ops.LayerNorm(sum, layer.LayerNormWeight, layer.LayerNormBias, config.LayerNormEps);
        return Dropout(normalized, config.HiddenDropoutProb, context);
    }

    public static Tensor SelfAttention(BertSelfAttention layer, BertConfig config, Tensor hidden, Tensor additiveMask, ForwardContext context)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1), heads = config.NumAttentionHeads, headSize = config.HeadSize;
        Tensor SplitHeads(Tensor projected) => Ops.Permute(Ops.Reshape(projected, batch, length, heads, headSize), 0, 2, 1, 3);
        var query = SplitHeads(Ops.Linear(hidden, layer.QueryWeight, layer.QueryBias));
        var key = SplitHeads(Ops.Linear(hidden, layer.KeyWeight, layer.KeyBias));
        var value = SplitHeads(Ops.Linear(hidden, layer.ValueWeight, layer.ValueBias));
        var scores = Ops.Scale(Ops.MatMul(query, key, transposeB: true), 1f / MathF.Sqrt(headSize));
        var probabilities = Dropout(Ops.Softmax(scores, additiveMask), config.AttentionProbsDropoutProb, context);
        var contextHeads = Ops.MatMul(probabilities, value);
        return Ops.Reshape(Ops.Permute(contextHeads, 0, 2, 1, 3), batch, length, config.HiddenSize);
    }

    public static Tensor DenseResidualLayerNorm(DenseResidualLayerNorm layer, BertConfig config, Tensor input, Tensor residual, ForwardContext context)
    {
        var dense = Dropout(Ops.Linear(input, layer.DenseWeight, layer.DenseBias), config.HiddenDropoutProb, context);
        return Ops.LayerNorm(Ops.Add(dense, residual), layer.LayerNormWeight, layer.LayerNormBias, config.LayerNormEps);
    }

    public static Tensor Intermediate(BertIntermediate layer, Tensor hidden) =>
        Ops.Gelu(Ops.Linear(hidden, layer.DenseWeight, layer.DenseBias));

    public static Tensor Pooler(BertPooler layer, Tensor sequenceOutput)
    {
        int batch = sequenceOutput.Dim(0), length = sequenceOutput.Dim(1);
        var rows = Enumerable.Range(0, batch).Select(b => b * length).ToArray();
        var cls = Ops.GatherRows(Ops.Reshape(sequenceOutput, batch * length, -1), rows);
        return Ops.Tanh(Ops.Linear(cls, layer.DenseWeight, layer.DenseBias));
    }

    public static Tensor MlmHead(MaskedLanguageModelHead layer, BertConfig config, Tensor sequenceOutput, int[] positions)
    {
        var selected = Ops.GatherRows(Ops.Reshape(sequenceOutput, -1, config.HiddenSize), positions);
        var transformed = Ops.Gelu(Ops.Linear(selected, layer.TransformWeight, layer.TransformBias));
        var normalized = Ops.LayerNorm(transformed, layer.LayerNormWeight, layer.LayerNormBias, config.LayerNormEps);
        return Ops.Linear(normalized, layer.DecoderWeight, layer.DecoderBias);
    }

    /// <summary>The same mask the hand-written layers draw: both consume the context's dropout seeds in forward order.</summary>
    private static Tensor Dropout(Tensor x, float probability, ForwardContext context) =>
        context.Training && probability > 0 ? Ops.Dropout(x, probability, context.NextDropoutSeed()) : x;
}

using MiniBioBert.Model;
using Onnx;

namespace MiniBioBert.Training.Export;

/// <summary>
/// The shared front of every exported model: the three int64 inputs [batch, sequence] (both axes dynamic), the
/// embeddings, the encoder layers and the pooler, mirroring <see cref="BertForPreTraining.Encode"/> and
/// <see cref="Model.Layers.BertPooler"/>. Weights are read through <see cref="BertParameters"/>.
/// </summary>
internal sealed class BertEncoderGraph
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";
    public const string Batch = "batch";
    public const string Sequence = "sequence";

    private readonly BertConfig _config;
    private readonly BertParameters _parameters;

    public BertEncoderGraph(OnnxLayers layers, BertConfig config, BertParameters parameters)
    {
        Layers = layers;
        _config = config;
        _parameters = parameters;
        var graph = layers.Graph;
        string inputIds = graph.Input(InputIds, TensorProto.Types.DataType.Int64, Batch, Sequence);
        string attentionMask = graph.Input(AttentionMask, TensorProto.Types.DataType.Int64, Batch, Sequence);
        string tokenTypeIds = graph.Input(TokenTypeIds, TensorProto.Types.DataType.Int64, Batch, Sequence);

        var hidden = Embeddings(inputIds, tokenTypeIds);         // [B, T, H]
        string additiveMask = AdditiveMask(attentionMask);       // [B, 1, 1, T]
        foreach (var layer in parameters.Layers)
        {
            hidden = EncoderLayer(hidden, additiveMask, layer);  // [B, T, H]
        }
        SequenceOutput = hidden;
    }

    public OnnxLayers Layers { get; }

    /// <summary>The encoder output [B, T, H].</summary>
    public string SequenceOutput { get; }

    /// <summary>pooled [B, H] = tanh(sequenceOutput[:, 0] · Wᵀ + b).</summary>
    public string Pooled()
    {
        var graph = Layers.Graph;
        string cls = graph.Op("Gather", [SequenceOutput, graph.Int64Scalar(0)], OnnxGraphBuilder.Attribute("axis", 1L)); // [B, H]
        return graph.Op("Tanh", [Layers.Linear(cls, _parameters.Pooler)]);
    }

    /// <summary>LayerNorm(word[input_ids] + position[0..T) + token_type[token_type_ids]).</summary>
    private string Embeddings(string inputIds, string tokenTypeIds)
    {
        var graph = Layers.Graph;
        var embeddings = _parameters.Embeddings;
        string words = graph.Op("Gather", [Layers.Weight(embeddings.Word), inputIds]);                   // [B, T, H]
        string types = graph.Op("Gather", [Layers.Weight(embeddings.TokenType), tokenTypeIds]);          // [B, T, H]
        string length = graph.Op("Slice", [graph.Op("Shape", [inputIds]), graph.Int64s(1), graph.Int64s(2)]); // [1] = T
        string positions = graph.Op("Slice", [Layers.Weight(embeddings.Position), graph.Int64s(0), length, graph.Int64s(0)]); // [T, H]
        string sum = graph.Op("Add", [graph.Op("Add", [words, positions]), types]);
        return Layers.LayerNorm(sum, embeddings.LayerNorm);
    }

    /// <summary>[B, 1, 1, T] = 0 where attention_mask ≠ 0, <see cref="BertForPreTraining.MaskedScore"/> at padding (as the engine builds it).</summary>
    private string AdditiveMask(string attentionMask)
    {
        var graph = Layers.Graph;
        string padding = graph.Op("Equal", [attentionMask, graph.Int64Scalar(0)]);
        string asFloat = graph.Op("Cast", [padding], OnnxGraphBuilder.Attribute("to", (long)TensorProto.Types.DataType.Float));
        string additive = graph.Op("Mul", [asFloat, graph.Scalar(BertForPreTraining.MaskedScore)]);
        return graph.Op("Unsqueeze", [additive, graph.Int64s(1, 2)]);
    }

    /// <summary>Self-attention, its output block, the FFN and its output block (post-LayerNorm, as BERT).</summary>
    private string EncoderLayer(string hidden, string additiveMask, EncoderLayerParameters layer)
    {
        var graph = Layers.Graph;
        // query, key, value: [B, heads, T, d]; the key transposed to [B, heads, d, T]
        string query = Heads(Layers.Linear(hidden, layer.Query), [0, 2, 1, 3]);
        string key = Heads(Layers.Linear(hidden, layer.Key), [0, 2, 3, 1]);
        string value = Heads(Layers.Linear(hidden, layer.Value), [0, 2, 1, 3]);

        // probabilities: [B, heads, T, T] = softmax(Q·Kᵀ/√d + mask) over the keys
        string scores = graph.Op("Mul", [graph.Op("MatMul", [query, key]), graph.Scalar(1f / MathF.Sqrt(_config.HeadSize))]);
        string probabilities = graph.Op("Softmax", [graph.Op("Add", [scores, additiveMask])], OnnxGraphBuilder.Attribute("axis", -1L));

        // context: [B, T, H], the heads side by side again
        string perHead = graph.Op("MatMul", [probabilities, value]);                                   // [B, heads, T, d]
        string context = graph.Op("Reshape", [graph.Op("Transpose", [perHead], OnnxGraphBuilder.Attribute("perm", new long[] { 0, 2, 1, 3 })),
            graph.Int64s(0, 0, _config.HiddenSize)]);

        string attention = Layers.LayerNorm(graph.Op("Add", [Layers.Linear(context, layer.AttentionOutput), hidden]), layer.AttentionLayerNorm);
        string intermediate = Layers.Gelu(Layers.Linear(attention, layer.Intermediate));
        return Layers.LayerNorm(graph.Op("Add", [Layers.Linear(intermediate, layer.Output), attention]), layer.OutputLayerNorm);
    }

    /// <summary>[B, T, H] → [B, T, heads, d] → permuted by <paramref name="permutation"/>.</summary>
    private string Heads(string x, long[] permutation)
    {
        var graph = Layers.Graph;
        string split = graph.Op("Reshape", [x, graph.Int64s(0, 0, _config.NumAttentionHeads, _config.HeadSize)]);
        return graph.Op("Transpose", [split], OnnxGraphBuilder.Attribute("perm", permutation));
    }
}

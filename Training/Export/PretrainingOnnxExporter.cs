using MiniBioBert.Model;
using Onnx;

namespace MiniBioBert.Training.Export;

/// <summary>
/// <see cref="BertForPreTraining"/> as ONNX, with Hugging Face's output names: <c>prediction_logits</c> [B, T, V]
/// (the MLM head at every position, its decoder tied to the word embeddings) and <c>seq_relationship_logits</c> [B, 2].
/// </summary>
internal static class PretrainingOnnxExporter
{
    public const string PredictionLogits = "prediction_logits";
    public const string SeqRelationshipLogits = "seq_relationship_logits";

    public static ModelProto Build(BertForPreTraining model)
    {
        var config = model.Config;
        var graph = new OnnxGraphBuilder("bert_for_pretraining");
        var encoder = new BertEncoderGraph(new OnnxLayers(graph, config.LayerNormEps), config, model.Weights);
        var layers = encoder.Layers;
        var mlm = model.Weights.MlmHead;

        // prediction_logits: [B, T, V] = LayerNorm(GELU(sequenceOutput · Wᵀ + b)) · Eᵀ + bias
        string transformed = layers.LayerNorm(layers.Gelu(layers.Linear(encoder.SequenceOutput, mlm.Transform)), mlm.LayerNorm);
        graph.Output(layers.Linear(transformed, mlm.Decoder), PredictionLogits, TensorProto.Types.DataType.Float,
            BertEncoderGraph.Batch, BertEncoderGraph.Sequence, config.VocabSize);

        // seq_relationship_logits: [B, 2] = pooled · Wᵀ + b
        graph.Output(layers.Linear(encoder.Pooled(), model.Weights.NextSentence), SeqRelationshipLogits, TensorProto.Types.DataType.Float,
            BertEncoderGraph.Batch, 2);
        return graph.Build();
    }
}

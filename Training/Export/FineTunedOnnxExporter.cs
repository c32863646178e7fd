using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using Onnx;

namespace MiniBioBert.Training.Export;

/// <summary>
/// <see cref="BertForFineTuning"/> as ONNX, one output <c>logits</c> as Hugging Face names it: [B, T, L] for token
/// classification (NER), [B, L] from the pooled [CLS] for single- and multi-label classification (raw logits; softmax
/// or sigmoid is the caller's, as in the engine).
/// </summary>
internal static class FineTunedOnnxExporter
{
    public const string Logits = "logits";

    /// <summary>metadata_props key: the label names as a JSON array, label id i at index i.</summary>
    public const string LabelsKey = "labels";

    /// <summary>metadata_props key: the <see cref="FineTuningTask"/>, as in the checkpoint's config.json.</summary>
    public const string TaskKey = FineTunedCheckpoint.TaskKey;

    public static ModelProto Build(BertForFineTuning model)
    {
        var config = model.Encoder.Config;
        var graph = new OnnxGraphBuilder(model.Task == FineTuningTask.TokenClassification
            ? "bert_for_token_classification" : "bert_for_sequence_classification");
        var encoder = new BertEncoderGraph(new OnnxLayers(graph, config.LayerNormEps), config, model.Encoder.Weights);
        var classifier = new LinearParameters(model.Head.Weight, model.Head.Bias);
        int labels = model.Head.LabelCount;

        if (model.Task == FineTuningTask.TokenClassification)
        {
            graph.Output(encoder.Layers.Linear(encoder.SequenceOutput, classifier), Logits, TensorProto.Types.DataType.Float,
                BertEncoderGraph.Batch, BertEncoderGraph.Sequence, labels);
        }
        else
        {
            graph.Output(encoder.Layers.Linear(encoder.Pooled(), classifier), Logits, TensorProto.Types.DataType.Float,
                BertEncoderGraph.Batch, labels);
        }
        return graph.Build(new Dictionary<string, string>
        {
            [LabelsKey] = System.Text.Json.JsonSerializer.Serialize(model.Labels),
            [TaskKey] = model.Task.ToString(),
        });
    }
}

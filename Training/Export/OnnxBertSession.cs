using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MiniBioBert.Training.Export;

/// <summary>
/// An exported model in ONNX Runtime (CPU), fed the same row-major [B·T] int arrays as the engine's
/// <see cref="Model.BertForPreTraining.Encode"/>; returns every output as a flat float array.
/// </summary>
internal sealed class OnnxBertSession : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxBertSession(string modelPath) => _session = new InferenceSession(modelPath);

    public OnnxBertSession(byte[] model) => _session = new InferenceSession(model);

    /// <summary>A session whose operators use <paramref name="threads"/> threads (to compare with the engine at the same count).</summary>
    public OnnxBertSession(byte[] model, int threads) =>
        _session = new InferenceSession(model, new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 });

    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    /// <summary>The model's metadata_props (the labels and task of a fine-tuned model; see <see cref="FineTunedOnnxExporter"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _session.ModelMetadata.CustomMetadataMap;

    /// <summary>Runs the graph; the outputs by name, each flattened in row-major order.</summary>
    public Dictionary<string, float[]> Run(int[] inputIds, int[] tokenTypeIds, int[] attentionMask, int batchSize, int sequenceLength)
    {
        NamedOnnxValue Input(string name, int[] values) => NamedOnnxValue.CreateFromTensor(name,
            new DenseTensor<long>(values.Select(v => (long)v).ToArray(), [batchSize, sequenceLength]));

        using var results = _session.Run([
            Input(BertEncoderGraph.InputIds, inputIds),
            Input(BertEncoderGraph.AttentionMask, attentionMask),
            Input(BertEncoderGraph.TokenTypeIds, tokenTypeIds)]);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray(), StringComparer.Ordinal);
    }

    public void Dispose() => _session.Dispose();
}

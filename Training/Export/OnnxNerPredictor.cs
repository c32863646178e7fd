using MiniBioBert.Model.Downstream;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Training.Export;

/// <summary>NER with an exported token classifier in ONNX Runtime: the same windows, batches and first-piece rule as <see cref="NerPredictor"/>.</summary>
internal sealed class OnnxNerPredictor(OnnxBertSession session, int padTokenId)
{
    /// <summary>The label names stored in the model's metadata by <see cref="FineTunedOnnxExporter"/>.</summary>
    public IReadOnlyList<string> Labels { get; } = ReadLabels(session);

    public string[][] Predict(NerEncoder encoder, IReadOnlyList<TaggedSentence> sentences, int batchSize = 64) =>
        NerPredictor.Predict(batch =>
        {
            float[] logits = session.Run(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batch.BatchSize, batch.SequenceLength)
                [FineTunedOnnxExporter.Logits];                                 // [B·T·L]
            return ArgMaxRows(logits, Labels.Count);                            // [B·T]
        }, Labels, padTokenId, encoder, sentences, batchSize);

    private static int[] ArgMaxRows(float[] values, int width)
    {
        var best = new int[values.Length / width];
        for (int row = 0; row < best.Length; row++)
        {
            var span = values.AsSpan(row * width, width);
            for (int j = 1; j < width; j++)
            {
                if (span[j] > span[best[row]])
                {
                    best[row] = j;
                }
            }
        }
        return best;
    }

    private static string[] ReadLabels(OnnxBertSession session)
    {
        var metadata = session.Metadata;
        if (!metadata.TryGetValue(FineTunedOnnxExporter.TaskKey, out var task) || task != nameof(FineTuningTask.TokenClassification)
            || !metadata.TryGetValue(FineTunedOnnxExporter.LabelsKey, out var json))
        {
            throw new InvalidDataException("The ONNX model is not a token classifier exported by 'export onnx' (its metadata names no TokenClassification task and labels).");
        }
        return System.Text.Json.JsonSerializer.Deserialize<string[]>(json)
            ?? throw new InvalidDataException("The ONNX model's labels are not a JSON array of names.");
    }
}

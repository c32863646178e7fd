using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Training.Downstream;

/// <summary>Predicts one tag per word with a token-classification model (no dropout, no gradients).</summary>
internal static class NerPredictor
{
    /// <summary>
    /// The predicted tags of every sentence: windows are batched (longest first, to pad little), and each word takes
    /// the arg-max label of its first piece.
    /// </summary>
    public static string[][] Predict(BertForFineTuning model, NerEncoder encoder, IReadOnlyList<TaggedSentence> sentences, int batchSize = 64)
    {
        using var noGrad = GradMode.NoGrad();
        return Predict(batch =>
        {
            using var scope = new TensorScope();
            var logits = model.Logits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batch.BatchSize, batch.SequenceLength,
                ForwardContext.Evaluation);                  // [B·T, L]
            return TensorKernels.ArgMaxRows(logits);         // [B·T] on the logits' device: only the indices come back
        }, model.Labels, model.Encoder.Config.PadTokenId, encoder, sentences, batchSize);
    }

    /// <summary>
    /// The same with any runtime: <paramref name="bestLabels"/> returns the arg-max label id of every row [B·T] of a
    /// padded batch (the engine above, or ONNX Runtime on an exported model).
    /// </summary>
    public static string[][] Predict(Func<PaddedBatch, int[]> bestLabels, IReadOnlyList<string> labels, int padTokenId,
        NerEncoder encoder, IReadOnlyList<TaggedSentence> sentences, int batchSize = 64)
    {
        var windows = encoder.Encode(sentences);
        var predicted = sentences.Select(s => new string[s.Words.Length]).ToArray();
        var byLength = windows.OrderByDescending(w => w.InputIds.Length).ToArray();
        for (int start = 0; start < byLength.Length; start += batchSize)
        {
            var chunk = byLength[start..Math.Min(byLength.Length, start + batchSize)];
            var batch = PaddedBatch.Create([.. chunk.Select(w => w.InputIds)], padTokenId);
            int[] best = bestLabels(batch);
            for (int b = 0; b < chunk.Length; b++)
            {
                var window = chunk[b];
                for (int k = 0; k < window.WordPositions.Length; k++)
                {
                    int row = b * batch.SequenceLength + window.WordPositions[k];
                    predicted[window.Sentence][window.FirstWord + k] = labels[best[row]];
                }
            }
        }
        return predicted;
    }
}

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
        var windows = encoder.Encode(sentences);
        var predicted = sentences.Select(s => new string[s.Words.Length]).ToArray();
        var byLength = windows.OrderByDescending(w => w.InputIds.Length).ToArray();
        using var noGrad = GradMode.NoGrad();
        for (int start = 0; start < byLength.Length; start += batchSize)
        {
            var chunk = byLength[start..Math.Min(byLength.Length, start + batchSize)];
            var batch = PaddedBatch.Create([.. chunk.Select(w => w.InputIds)], model.Encoder.Config.PadTokenId);
            using var scope = new TensorScope();
            var logits = model.Logits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batch.BatchSize, batch.SequenceLength,
                ForwardContext.Evaluation);                                                                     // [B·T, L]
            int[] best = TensorKernels.ArgMaxRows(logits); // [B·T] on the logits' device: only the indices come back
            for (int b = 0; b < chunk.Length; b++)
            {
                var window = chunk[b];
                for (int k = 0; k < window.WordPositions.Length; k++)
                {
                    int row = b * batch.SequenceLength + window.WordPositions[k];
                    predicted[window.Sentence][window.FirstWord + k] = model.Labels[best[row]];
                }
            }
        }
        return predicted;
    }
}

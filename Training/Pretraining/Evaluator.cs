using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Pretraining;

/// <summary>Held-out evaluation: forward passes without dropout and without recording for backward.</summary>
internal static class Evaluator
{
    /// <summary>
    /// MLM/NSP losses and accuracies of <paramref name="model"/> over <paramref name="batches"/>, with the MLM accuracy
    /// also split by what the input showed at the masked positions (see <see cref="MaskedInput"/>), and the masked words
    /// counted when <paramref name="specials"/> knows which pieces continue a word.
    /// </summary>
    public static PretrainingMetrics Evaluate(BertForPreTraining model, IEnumerable<PretrainingBatch> batches, SpecialTokenIds specials)
    {
        var metrics = new PretrainingMetrics();
        using (GradMode.NoGrad())
        {
            foreach (var batch in batches)
            {
                using (new TensorScope())
                {
                    var inputs = batch.ToInputs();
                    metrics.Add(model.Forward(inputs, ForwardContext.Evaluation).Score(), inputs, specials.Mask, specials.ContinuesWord);
                }
            }
        }
        return metrics;
    }

    /// <summary>The first <paramref name="maxBatches"/> batches of <paramref name="evaluation"/> (0: all).</summary>
    public static IEnumerable<PretrainingBatch> Batches(PretrainingEpoch evaluation, int maxBatches) =>
        maxBatches == 0 ? evaluation.Batches() : evaluation.Batches().Take(maxBatches);
}

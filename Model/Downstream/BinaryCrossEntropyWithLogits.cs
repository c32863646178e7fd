using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;

namespace MiniBioBert.Model.Downstream;

/// <summary>
/// The multi-label loss: every logit is an independent yes/no decision. For logits x [N, L] and targets y ∈ {0, 1},
/// the mean over all N·L elements of −[y·log σ(x) + (1 − y)·log(1 − σ(x))], computed stably as
/// <c>max(x, 0) − x·y + log(1 + exp(−|x|))</c> (PyTorch's <c>BCEWithLogitsLoss</c>, reduction "mean").
/// Gradient: d loss / d x = (σ(x) − y) / (N·L).
/// </summary>
public static class BinaryCrossEntropyWithLogits
{
    /// <summary>logits: [N, L]; targets: N·L values in {0, 1}, row-major. Returns the mean loss (one element).</summary>
    public static Tensor Forward(Tensor logits, float[] targets)
    {
        if (targets.Length != logits.Size)
        {
            throw new ArgumentException($"Binary cross-entropy: {targets.Length} targets for logits {Tensor.FormatShape(logits.Shape)}.");
        }
        var x = logits.Span;
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double value = x[i];
            total += Math.Max(value, 0) - value * targets[i] + Math.Log(1 + Math.Exp(-Math.Abs(value)));
        }
        var loss = Tensor.Uninitialized(1);
        loss.Span[0] = x.Length == 0 ? 0f : (float)(total / x.Length);

        return Gradients.Record(loss, "BinaryCrossEntropyWithLogits", [logits], lossGrad =>
        {
            float scale = lossGrad.Span[0] / logits.Size;
            var values = logits.Span;
            var grad = Gradients.Of(logits).Span;
            for (int i = 0; i < values.Length; i++)
            {
                grad[i] += scale * (Sigmoid(values[i]) - targets[i]);
            }
        });
    }

    /// <summary>σ(x) = 1 / (1 + e^(−x)), without overflow for large |x|.</summary>
    public static float Sigmoid(float x) => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));
}

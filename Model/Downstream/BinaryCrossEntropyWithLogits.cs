using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Downstream;

/// <summary>
/// The multi-label loss: every logit is an independent yes/no decision. For logits x [N, L] and targets y ∈ {0, 1},
/// the mean over all N·L elements of −[y·log σ(x) + (1 − y)·log(1 − σ(x))], computed stably as
/// <c>max(x, 0) − x·y + log(1 + exp(−|x|))</c> (PyTorch's <c>BCEWithLogitsLoss</c>, reduction "mean").
/// Gradient: d loss / d x = (σ(x) − y) / (N·L).
/// </summary>
public static class BinaryCrossEntropyWithLogits
{
    /// <summary>
    /// logits: [N, L]; targets: N·L values in {0, 1}, row-major. Returns the mean loss (one element) on the logits'
    /// device. The dispatch layer has no sigmoid or log kernel, so the loss and its gradient are computed on the host
    /// from a copy of the logits (downloaded from a GPU: N·L values, one per sequence and label, a few hundred bytes)
    /// and the results go back to the logits' device; on the CPU the arithmetic is the same as before, bit for bit.
    /// </summary>
    public static Tensor Forward(Tensor logits, float[] targets)
    {
        if (targets.Length != logits.Size)
        {
            throw new ArgumentException($"Binary cross-entropy: {targets.Length} targets for logits {Tensor.FormatShape(logits.Shape)}.");
        }
        float[] x = logits.ToArray();
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double value = x[i];
            total += Math.Max(value, 0) - value * targets[i] + Math.Log(1 + Math.Exp(-Math.Abs(value)));
        }
        var loss = Tensor.FromValues([x.Length == 0 ? 0f : (float)(total / x.Length)], 1).To(logits.Device);

        return Gradients.Record(loss, "BinaryCrossEntropyWithLogits", [logits], lossGrad =>
        {
            float scale = lossGrad.Item() / logits.Size;
            var grad = Tensor.Uninitialized(logits.ShapeArray());
            var values = grad.Span;
            for (int i = 0; i < x.Length; i++)
            {
                values[i] = scale * (Sigmoid(x[i]) - targets[i]);
            }
            // d logits += grad (one rounding, as the loop's += was)
            TensorKernels.AddInto(Gradients.Of(logits), grad.To(logits.Device));
        });
    }

    /// <summary>σ(x) = 1 / (1 + e^(−x)), without overflow for large |x|.</summary>
    public static float Sigmoid(float x) => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));
}

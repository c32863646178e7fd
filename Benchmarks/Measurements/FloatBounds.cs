namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// How far two devices may differ (used by <see cref="DeviceCheck"/> and by the tests that compare devices) when they compute the same model in float32 with different summation orders.
/// <list type="bullet">
/// <item>u = 2⁻²⁴, the unit roundoff of float32.</item>
/// <item>A sum or dot product of length k carries an error of at most about k·u·Σ|aᵢbᵢ| in any summation order
/// (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, §3.1), so two orders differ by at most 2·k·u·Σ|aᵢbᵢ|.</item>
/// <item>Elementwise functions (exp, tanh, erf, rsqrt) are good to a few ulp on every device; allow 8·u per stage.</item>
/// <item>A forward pass is a chain of S such stages (matrix products, softmax sums, LayerNorm means and variances,
/// the loss's log-sum-exp), none longer than k. To first order, with each stage passing the relative error of its
/// input on without amplification (LayerNorm renormalises; softmax and the small random weights of these tiny
/// models are well-conditioned), the outputs differ normwise by at most δ_f = S·(2·k + 8)·u. The backward pass runs
/// the chain again, transposed: δ_b = 2·δ_f.</item>
/// <item>AdamW's update direction m̂/(√v̂ + ε) is scale-invariant in the gradient, and |m̂/√v̂| ≤ √n after n steps
/// (Cauchy–Schwarz over the bias-corrected averages), so a relative gradient error δ_b moves an update by at most
/// 2·δ_b·√n·lr; after n steps the weights differ by at most 2·n·√n·lr·δ_b, plus a few roundings of the update
/// itself (4·u·max|θ| per step; the CPU optimizer works in double, the GPU one in float). Normwise relative to
/// max|θ| ≥ 1 (LayerNorm weights start at 1) that is at most δ_θ = n·(2·√n·lr·δ_b + 4·u).</item>
/// </list>
/// Gradients that are mathematically zero (the attention key biases: softmax ignores a per-row constant) are pure
/// rounding noise of either sign, which AdamW's normalisation blows up to steps of up to lr; weight comparisons leave
/// them out and check them against that bound instead.
/// </summary>
internal static class FloatBounds
{
    /// <summary>u = 2⁻²⁴.</summary>
    public const double U = 1.0 / (1 << 24);

    /// <summary>δ_f = S·(2·k + 8)·u: the normwise relative difference of a forward pass of <paramref name="stages"/> stages no longer than <paramref name="length"/>.</summary>
    public static double Forward(int stages, int length) => stages * (2.0 * length + 8) * U;

    /// <summary>δ_b = 2·δ_f: gradients (forward, then the transposed chain).</summary>
    public static double Backward(int stages, int length) => 2 * Forward(stages, length);

    /// <summary>δ_θ = n·(2·√n·lr·δ_b + 4·u): weights after <paramref name="steps"/> AdamW steps of at most <paramref name="learningRate"/>.</summary>
    public static double Weights(int steps, double learningRate, double gradientBound) =>
        steps * (2 * Math.Sqrt(steps) * learningRate * gradientBound + 4 * U);

    /// <summary>
    /// The loss of a step after <paramref name="updates"/> updates (0 for the first step): the same weights give losses
    /// δ_f·|L| apart; weights up to δ_θ·max|θ| apart in each of their N components move the loss by at most
    /// ‖g‖₂·‖Δθ‖₂ ≤ ‖g‖₂·√N·δ_θ·max|θ|.
    /// </summary>
    public static double Loss(int updates, double loss, double gradientNorm, int stages, int length, double learningRate, double maxWeight, int weightCount)
    {
        double weightsApart = updates == 0 ? 0 : Weights(updates, learningRate, Backward(stages, length)) * maxWeight * Math.Sqrt(weightCount);
        return Forward(stages, length) * Math.Abs(loss) + gradientNorm * weightsApart;
    }

    /// <summary>
    /// Forward stages of a BERT of <paramref name="layers"/> layers: the embedding LayerNorm; per layer Q/K/V, scores,
    /// softmax, context, attention output, LayerNorm, intermediate, output, LayerNorm (9); then at most 6 for the heads
    /// and the loss (pooler, MLM transform, its LayerNorm, decoder, log-softmax, the mean).
    /// </summary>
    public static int BertStages(int layers) => 1 + 9 * layers + 6;

    /// <summary>True for the parameters whose gradient is mathematically zero (see the class summary).</summary>
    public static bool GradientIsZero(string name) => name.EndsWith("attention.self.key.bias", StringComparison.Ordinal);
}

namespace MiniBioBert.Engine.Kernels;

/// <summary>
/// The four numbers that decide an optimizer step, kept in a four-element tensor on the parameters' device, so that a
/// GPU computes them and acts on them without asking the host (the host reads them once, after the update):
/// <code>
/// [LossSum]      Σ of the micro-batches' losses
/// [GradientNorm] n = ‖g‖₂ over every gradient together
/// [ClipFactor]   c: the gradients are multiplied by it as AdamW reads them (PyTorch's clip_grad_norm_)
/// [Apply]        1 when the loss and n are finite, 0 when the update must be skipped
/// </code>
/// <see cref="TensorKernels.GradientClipping"/> fills the last three; <see cref="TensorKernels.AdamWUpdate"/> reads the
/// last two.
/// </summary>
public static class StepControl
{
    public const int LossSum = 0;
    public const int GradientNorm = 1;
    public const int ClipFactor = 2;
    public const int Apply = 3;

    /// <summary>Elements of a step-control tensor.</summary>
    public const int Length = 4;

    /// <summary>
    /// The clipping factor for gradient norm <paramref name="norm"/>: c = maxNorm / (norm + 1e-6) rounded to float when
    /// that is below 1 and the norm is finite, otherwise 1 (nothing to scale). Plain arithmetic, so that a GPU kernel
    /// computes it with the same double operations as the host (<c>norm - norm == 0</c> is false for NaN and ±∞).
    /// </summary>
    public static float ClipFactorFor(double norm, double maxNorm)
    {
        double coefficient = maxNorm / (norm + 1e-6);
        return norm - norm == 0 && coefficient < 1 ? (float)coefficient : 1f;
    }

    /// <summary>
    /// Writes the decision for gradient norm <paramref name="norm"/> into a step control in host memory: the norm,
    /// its clipping factor, and apply = 1 when the norm and the loss sum already there are finite.
    /// </summary>
    public static void Decide(Span<float> control, double norm, double maxNorm)
    {
        control[GradientNorm] = (float)norm;
        control[ClipFactor] = ClipFactorFor(norm, maxNorm);
        control[Apply] = double.IsFinite(norm) && float.IsFinite(control[LossSum]) ? 1f : 0f;
    }

    /// <summary>A step-control tensor on <paramref name="device"/> that applies the update with gradients × <paramref name="clipFactor"/>.</summary>
    public static Tensor Unconditional(Device device, float clipFactor = 1f) =>
        Tensor.FromArray([0f, 0f, clipFactor, 1f], Length).To(device);
}

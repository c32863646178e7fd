using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// Global L2-norm gradient clipping with PyTorch's <c>clip_grad_norm_</c> formula: n = ‖g‖₂ over every gradient
/// together, and when c = maxNorm / (n + 1e-6) is below 1 every gradient is scaled by c. <see cref="ModelOptimizer"/>
/// hands c to the AdamW update, which multiplies the gradients by it as it reads them (the same float product).
/// </summary>
internal static class GradientClipping
{
    /// <summary>
    /// ‖g‖₂ over all of <paramref name="gradients"/>, the squares summed in double. Non-finite (NaN or +∞) exactly
    /// when some gradient is NaN or ±∞, so it doubles as the finite check.
    /// </summary>
    public static double GlobalNorm(IEnumerable<Tensor> gradients) => Math.Sqrt(gradients.Sum(TensorKernels.SumOfSquares));

    /// <summary>‖g‖₂ of one host buffer (see <see cref="GlobalNorm(IEnumerable{Tensor})"/>).</summary>
    public static double GlobalNorm(float[] gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        return GlobalNorm([Tensor.FromArray(gradients, gradients.Length)]);
    }

    /// <summary>
    /// Clips a host buffer in place: computes n = ‖g‖₂ and scales every gradient by <see cref="ScaleFor"/>(n).
    /// Returns n, the norm before clipping. When n is not finite the gradients are left as they are: the caller
    /// should skip the optimizer step (PyTorch would fill them with NaN instead).
    /// </summary>
    public static double ClipByGlobalNorm(float[] gradients, double maxNorm)
    {
        double norm = GlobalNorm(gradients);
        float scale = ScaleFor(norm, maxNorm);
        if (scale != 1f)
        {
            var tensor = Tensor.FromArray(gradients, gradients.Length);
            TensorKernels.Scale(tensor, scale, tensor);
        }
        return norm;
    }

    /// <summary>
    /// The clipping factor for gradient norm <paramref name="norm"/>: c = maxNorm / (norm + 1e-6) rounded to float when
    /// it is below 1 and the norm is finite, otherwise 1 (nothing to scale).
    /// </summary>
    public static float ScaleFor(double norm, double maxNorm)
    {
        if (!(maxNorm > 0 && double.IsFinite(maxNorm)))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be positive and finite.");
        }
        return StepControl.ClipFactorFor(norm, maxNorm);
    }
}

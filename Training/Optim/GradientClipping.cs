namespace MiniBioBert.Training.Optim;

/// <summary>
/// Global L2-norm gradient clipping over the flat gradient buffer, with PyTorch's <c>clip_grad_norm_</c> formula.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// ‖g‖₂ over the whole buffer, computed in double. Non-finite (NaN or +∞) exactly when some gradient is
    /// NaN or ±∞, so it doubles as the finite check.
    /// </summary>
    public static double GlobalNorm(float[] gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        return Math.Sqrt(FlatBuffer.SumOfSquares(gradients));
    }

    /// <summary>
    /// Computes n = ‖g‖₂ and, when c = maxNorm / (n + 1e-6) is below 1, scales every gradient by c (so the norm
    /// becomes ≈ maxNorm). Returns n, the norm before clipping, for logging. When n is not finite the gradients are
    /// left as they are: the caller should skip the optimizer step (PyTorch would fill them with NaN instead).
    /// </summary>
    public static double ClipByGlobalNorm(float[] gradients, double maxNorm)
    {
        if (!(maxNorm > 0 && double.IsFinite(maxNorm)))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be positive and finite.");
        }

        double norm = GlobalNorm(gradients);
        float scale = ScaleFor(norm, maxNorm);
        if (scale != 1f)
        {
            FlatBuffer.Scale(gradients, scale);
        }
        return norm;
    }

    /// <summary>
    /// The clipping factor for gradient norm <paramref name="norm"/>: c = maxNorm / (norm + 1e-6) rounded to float when
    /// it is below 1 and the norm is finite, otherwise 1 (nothing to scale).
    /// </summary>
    public static float ScaleFor(double norm, double maxNorm)
    {
        double coefficient = maxNorm / (norm + 1e-6);
        return double.IsFinite(norm) && coefficient < 1 ? (float)coefficient : 1f;
    }
}

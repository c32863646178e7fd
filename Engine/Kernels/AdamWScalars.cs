namespace MiniBioBert.Engine.Kernels;

/// <summary>
/// AdamW's hyperparameters for one step, all required: there are no defaults here, so no device's update can drift
/// from another's. Training fills them from its one set of defaults, <c>Training.Optim.AdamWOptions</c>. They are
/// doubles, like PyTorch's Python floats: 1 − β2 taken from a float β2 = 0.999f would be off by 1.3e-5 relative.
/// </summary>
public readonly record struct AdamWHyperparameters(double LearningRate, double Beta1, double Beta2, double Epsilon, double WeightDecay);

/// <summary>
/// The scalars of AdamW update t (1 for the first), computed in double and rounded to float once, as PyTorch does
/// with its Python-float hyperparameters. The CPU, reference and GPU kernels of <see cref="TensorKernels.AdamWUpdate"/>
/// all read these, so they do the same float operations on every element:
/// <code>
/// g ← g · c                              (c: the clipping factor of the step-control tensor, see StepControl)
/// p ← p · (1 − lr·λ)                       (λ = weight decay where decayMask is 1; × 1 elsewhere)
/// m ← m + (1 − β1)·(g − m)                 (= β1·m + (1 − β1)·g, PyTorch's lerp form)
/// v ← v·β2 + (1 − β2)·g·g
/// p ← p + (−lr/(1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// </summary>
public readonly record struct AdamWScalars
{
    /// <summary>The scalars of update <paramref name="step"/> ≥ 1.</summary>
    public AdamWScalars(AdamWHyperparameters hyperparameters, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        DecayFactor = (float)(1 - hyperparameters.LearningRate * hyperparameters.WeightDecay);
        OneMinusBeta1 = (float)(1 - hyperparameters.Beta1);
        Beta2 = (float)hyperparameters.Beta2;
        OneMinusBeta2 = (float)(1 - hyperparameters.Beta2);
        BiasCorrection2Sqrt = (float)Math.Sqrt(1 - Math.Pow(hyperparameters.Beta2, step));
        Epsilon = (float)hyperparameters.Epsilon;
        NegativeStepSize = (float)(-hyperparameters.LearningRate / (1 - Math.Pow(hyperparameters.Beta1, step)));
    }

    /// <summary>1 − lr·λ: what a decayed parameter is multiplied by.</summary>
    public float DecayFactor { get; }

    public float OneMinusBeta1 { get; }

    public float Beta2 { get; }

    public float OneMinusBeta2 { get; }

    /// <summary>√(1 − β2ᵗ).</summary>
    public float BiasCorrection2Sqrt { get; }

    public float Epsilon { get; }

    /// <summary>−lr / (1 − β1ᵗ).</summary>
    public float NegativeStepSize { get; }
}

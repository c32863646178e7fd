using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// AdamW hyperparameters other than the learning rate (which the schedule sets on every step).
/// Defaults are BERT's: β1 0.9, β2 0.999, ε 1e-6 (PyTorch's own default is 1e-8), weight decay 0.01. They are the
/// only defaults: <see cref="AdamW"/> reads these options on the CPU and <see cref="DeviceAdamW"/> hands the same
/// ones to the GPU kernel (<see cref="ForLearningRate"/>).
/// </summary>
internal sealed record AdamWOptions
{
    /// <summary>Decay rate of the first-moment (mean) estimate, in [0, 1).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay rate of the second-moment (uncentred variance) estimate, in [0, 1).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to √v̂ in the denominator, for numerical stability; positive.</summary>
    public double Epsilon { get; init; } = 1e-6;

    /// <summary>Decoupled weight decay coefficient λ (p ← p − lr·λ·p) for decayed segments; non-negative.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>These options with <paramref name="learningRate"/>, as the GPU update (<see cref="GpuAdamW"/>) takes them.</summary>
    public AdamWHyperparameters ForLearningRate(double learningRate) => new(learningRate, Beta1, Beta2, Epsilon, WeightDecay);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "AdamW beta1 must be in [0, 1).");
        }
        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "AdamW beta2 must be in [0, 1).");
        }
        if (!(Epsilon > 0 && double.IsFinite(Epsilon)))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "AdamW epsilon must be positive and finite.");
        }
        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay)))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "AdamW weight decay must be non-negative and finite.");
        }
    }
}

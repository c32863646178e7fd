using ILGPU;
using ILGPU.Algorithms;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// AdamW's hyperparameters for one step, all required: there are no defaults here, so the device update cannot drift
/// from the CPU's. Training fills them from its one set of defaults, <c>Training.Optim.AdamWOptions</c>
/// (<c>AdamWOptions.ForLearningRate</c>). They are doubles, like PyTorch's Python floats: 1 − β2 taken from a float
/// β2 = 0.999f would be off by 1.3e-5 relative.
/// </summary>
public readonly record struct AdamWHyperparameters(double LearningRate, double Beta1, double Beta2, double Epsilon, double WeightDecay);

/// <summary>
/// One AdamW step over flat parameter, gradient and moment buffers, one thread per element, with PyTorch's
/// <c>torch.optim.AdamW</c> arithmetic: p ← p·(1 − lr·wd·decay); m ← m + (1 − β1)(g − m); v ← β2·v + (1 − β2)·g²;
/// p ← p − (lr / (1 − β1^t))·m / (√v / √(1 − β2^t) + ε). decay[i] is 1 for weights that decay and 0 for biases and
/// layer-norm parameters; g is the stored gradient times <c>gradientScale</c> (1, or the clipping factor).
/// </summary>
public static class GpuAdamW
{
    /// <summary>Applies step <paramref name="step"/> (1 for the first) in place to parameters, m and v.</summary>
    public static void Step(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> decay, AdamWHyperparameters settings, int step, float gradientScale = 1f)
    {
        if (step < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(step), $"AdamW step {step} must be 1 or more.");
        }
        foreach (var (name, view) in new[] { ("gradients", gradients), ("m", m), ("v", v), ("decay", decay) })
        {
            GpuChecks.Length("AdamW", name, view, parameters.Length);
        }
        if (parameters.Length == 0)
        {
            return;
        }
        // Scalars and bias corrections in double on the host, as PyTorch computes them in Python floats.
        double biasCorrection1 = 1 - Math.Pow(settings.Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(settings.Beta2, step);
        var arguments = new AdamWArguments
        {
            DecayFactor = (float)(settings.LearningRate * settings.WeightDecay),
            OneMinusBeta1 = (float)(1 - settings.Beta1),
            Beta2 = (float)settings.Beta2,
            OneMinusBeta2 = (float)(1 - settings.Beta2),
            Epsilon = (float)settings.Epsilon,
            StepSize = (float)(settings.LearningRate / biasCorrection1),
            SqrtBiasCorrection2 = (float)Math.Sqrt(biasCorrection2),
            GradientScale = gradientScale,
        };
        device.Kernels.AdamW((int)parameters.Length, parameters, gradients, m, v, decay, arguments);
    }

    internal static void Kernel(Index1D i, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> decay, AdamWArguments args)
    {
        float gradient = gradients[i] * args.GradientScale;
        float parameter = parameters[i] * (1f - args.DecayFactor * decay[i]);
        float firstMoment = m[i] + args.OneMinusBeta1 * (gradient - m[i]);
        float secondMoment = args.Beta2 * v[i] + args.OneMinusBeta2 * gradient * gradient;
        float denominator = XMath.Sqrt(secondMoment) / args.SqrtBiasCorrection2 + args.Epsilon;
        parameters[i] = parameter - args.StepSize * firstMoment / denominator;
        m[i] = firstMoment;
        v[i] = secondMoment;
    }
}

/// <summary>The per-step scalars of <see cref="GpuAdamW"/>, precomputed on the host.</summary>
internal struct AdamWArguments
{
    public float DecayFactor;
    public float OneMinusBeta1;
    public float Beta2;
    public float OneMinusBeta2;
    public float Epsilon;
    public float StepSize;
    public float SqrtBiasCorrection2;
    public float GradientScale;
}

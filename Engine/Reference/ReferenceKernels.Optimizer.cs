using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>
    /// One AdamW update of every element, in place on parameters, m and v (all [n]); decayMask[i] is 1 where weight
    /// decay applies, 0 for biases and LayerNorm parameters. The formula is <see cref="AdamWScalars"/>'s; the gradient
    /// scale and whether to update at all are read from <paramref name="control"/> (<see cref="StepControl"/>).
    /// </summary>
    public static void AdamWUpdate(Tensor parameters, Tensor gradients, Tensor firstMoment, Tensor secondMoment, Tensor decayMask,
        AdamWScalars scalars, Tensor control)
    {
        if (control.Span[StepControl.Apply] == 0f)
        {
            return; // a non-finite loss or gradient: the step is skipped
        }
        float clipFactor = control.Span[StepControl.ClipFactor];
        var p = parameters.Span;
        var g = gradients.Span;
        var m = firstMoment.Span;
        var v = secondMoment.Span;
        var decay = decayMask.Span;
        for (int i = 0; i < p.Length; i++)
        {
            float gradient = g[i] * clipFactor;
            // decoupled weight decay: p ← p·(1 − lr·λ)
            float decayFactor = decay[i] != 0f ? scalars.DecayFactor : 1f;
            p[i] *= decayFactor;
            // the moments: m moves toward g, v toward g²
            m[i] += scalars.OneMinusBeta1 * (gradient - m[i]);
            v[i] = v[i] * scalars.Beta2 + scalars.OneMinusBeta2 * gradient * gradient;
            // the step: lr · m̂ / (√v̂ + ε), with the bias corrections folded into two scalars
            float denominator = MathF.Sqrt(v[i]) / scalars.BiasCorrection2Sqrt + scalars.Epsilon;
            p[i] += scalars.NegativeStepSize * m[i] / denominator;
        }
    }

    /// <summary>
    /// The step control's norm, clipping factor and apply flag (<see cref="StepControl"/>): n = √(Σ g²) over every
    /// gradient, in double, buffer after buffer; apply when n and the loss sum are finite.
    /// </summary>
    public static void GradientClipping(IReadOnlyList<Tensor> gradients, double maxNorm, Tensor control)
    {
        double sumOfSquares = 0;
        foreach (var gradient in gradients)
        {
            sumOfSquares += SumOfSquares(gradient);
        }
        StepControl.Decide(control.Span, Math.Sqrt(sumOfSquares), maxNorm);
    }

    /// <summary>Σ x² over every element, squared and summed in double, first element first.</summary>
    public static double SumOfSquares(Tensor x)
    {
        var values = x.Span;
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double value = values[i];
            sum += value * value;
        }
        return sum;
    }
}

namespace MiniBioBert.Training.Optim;

/// <summary>
/// Linear warmup from 0 to the peak over W steps, then a decay to 0 at step T: linear (Hugging Face's
/// <c>get_linear_schedule_with_warmup</c>, the default) or a half cosine (<c>get_cosine_schedule_with_warmup</c>).
/// With s the number of updates already made (0-based) and f = (s − W) / (T − W) the share of the decay done,
/// <code>
/// multiplier(s) = s / W                      if s &lt; W
///               = 1 − f                      linear, if W ≤ s &lt; T
///               = ½ (1 + cos(π f))           cosine, if W ≤ s &lt; T
///               = 0                          if s ≥ T
/// </code>
/// and lr(s) = peak · multiplier(s). As with Hugging Face (scheduler.step() after optimizer.step()), the k-th update
/// (k = 1, 2, …) uses lr(k − 1), so the first update has lr 0 and update T has lr peak/(T − W).
/// Pass <see cref="AdamW.StepCount"/> before the step: <c>optimizer.Step(p, g, schedule.LearningRate(optimizer.StepCount))</c>.
/// For a wall-clock budget, estimate T once from measured throughput and construct the schedule with it.
/// </summary>
internal sealed class LearningRateSchedule
{
    /// <summary>A schedule peaking at <paramref name="peakLearningRate"/>; requires 0 ≤ W ≤ T and T ≥ 1.</summary>
    public LearningRateSchedule(double peakLearningRate, long warmupSteps, long totalSteps, LearningRateDecay decay = LearningRateDecay.Linear)
    {
        if (!(peakLearningRate > 0 && double.IsFinite(peakLearningRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(peakLearningRate), peakLearningRate, "The peak learning rate must be positive and finite.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (warmupSteps < 0 || warmupSteps > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"Warmup steps must be in [0, total steps = {totalSteps}].");
        }
        PeakLearningRate = peakLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        Decay = decay;
    }

    /// <summary>The learning rate at the end of warmup.</summary>
    public double PeakLearningRate { get; }

    /// <summary>W: updates over which the rate rises linearly from 0.</summary>
    public long WarmupSteps { get; }

    /// <summary>T: the 0-based step count at which the rate reaches 0.</summary>
    public long TotalSteps { get; }

    /// <summary>The shape of the fall from the peak to 0.</summary>
    public LearningRateDecay Decay { get; }

    /// <summary>multiplier(s) in [0, 1] for <paramref name="completedSteps"/> = s ≥ 0.</summary>
    public double Multiplier(long completedSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completedSteps);
        if (completedSteps < WarmupSteps)
        {
            return (double)completedSteps / WarmupSteps;
        }
        if (completedSteps >= TotalSteps)
        {
            return 0.0;
        }
        double decayed = (double)(completedSteps - WarmupSteps) / (TotalSteps - WarmupSteps); // W ≤ s < T: in [0, 1)
        return Decay == LearningRateDecay.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * decayed)) : 1 - decayed;
    }

    /// <summary>lr(s) = peak · multiplier(s): the rate for the update made after <paramref name="completedSteps"/> updates.</summary>
    public double LearningRate(long completedSteps) => PeakLearningRate * Multiplier(completedSteps);
}

/// <summary>How the learning rate falls from its peak to 0 after warmup.</summary>
internal enum LearningRateDecay
{
    /// <summary>A straight line (BERT, Hugging Face's default).</summary>
    Linear,

    /// <summary>Half a cosine: longer near the peak, then a faster fall, and a slow landing.</summary>
    Cosine,
}

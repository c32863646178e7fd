namespace MiniBioBert.Training.Optim;

/// <summary>
/// Linear warmup from 0 to the peak over W steps, then linear decay to 0 at step T: Hugging Face's
/// <c>get_linear_schedule_with_warmup</c>. With s the number of updates already made (0-based),
/// <code>
/// multiplier(s) = s / W                      if s &lt; W
///               = max(0, (T − s) / (T − W))   otherwise
/// </code>
/// and lr(s) = peak · multiplier(s). As with Hugging Face (scheduler.step() after optimizer.step()), the k-th update
/// (k = 1, 2, …) uses lr(k − 1), so the first update has lr 0 and update T has lr peak/(T − W).
/// Pass <see cref="AdamW.StepCount"/> before the step: <c>optimizer.Step(p, g, schedule.LearningRate(optimizer.StepCount))</c>.
/// For a wall-clock budget, estimate T once from measured throughput and construct the schedule with it.
/// </summary>
internal sealed class LearningRateSchedule
{
    /// <summary>A schedule peaking at <paramref name="peakLearningRate"/>; requires 0 ≤ W ≤ T and T ≥ 1.</summary>
    public LearningRateSchedule(double peakLearningRate, long warmupSteps, long totalSteps)
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
    }

    /// <summary>The learning rate at the end of warmup.</summary>
    public double PeakLearningRate { get; }

    /// <summary>W: updates over which the rate rises linearly from 0.</summary>
    public long WarmupSteps { get; }

    /// <summary>T: the 0-based step count at which the rate reaches 0.</summary>
    public long TotalSteps { get; }

    /// <summary>multiplier(s) in [0, 1] for <paramref name="completedSteps"/> = s ≥ 0.</summary>
    public double Multiplier(long completedSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completedSteps);
        if (completedSteps < WarmupSteps)
        {
            return (double)completedSteps / WarmupSteps;
        }
        // Hugging Face guards the denominator with max(1, ·); it is only reached as 0 when W = T, where s ≥ T gives 0.
        return Math.Max(0.0, (double)(TotalSteps - completedSteps) / Math.Max(1, TotalSteps - WarmupSteps));
    }

    /// <summary>lr(s) = peak · multiplier(s): the rate for the update made after <paramref name="completedSteps"/> updates.</summary>
    public double LearningRate(long completedSteps) => PeakLearningRate * Multiplier(completedSteps);
}

using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// Decides the schedule's total steps T of a run. <c>--steps</c> gives T; else <c>--epochs</c> (epoch 0's batch
/// count); else the time budget, from the measured time of a step, evaluations and saves included (the smallest
/// when several apply). A budget-planned T is planned again after <see cref="ReplanAfterSteps"/> real steps (a
/// probe times one step, perhaps at a busy moment), then at each evaluation of the run's first half from the steady
/// pace since then. Time is read from the clock it is handed, so tests can run it on a clock of their own.
/// </summary>
internal sealed class TimeBudgetPlanner(PretrainingOptions options, PretrainingDataset data, TimeProvider clock, Action<string> log)
{
    /// <summary>Real steps after which a budget-planned schedule is planned again from their measured pace.</summary>
    internal const int ReplanAfterSteps = 20;

    /// <summary>Seconds a checkpoint save is assumed to take when planning steps for a time budget.</summary>
    private const double AssumedSaveSeconds = 2;

    /// <summary>A forward pass without backward costs about this fraction of a training step.</summary>
    private const double ForwardFractionOfStep = 0.35;

    /// <summary>Whether the budget decided T (and so T is planned again as the run goes).</summary>
    private bool _fromBudget;

    /// <summary>The run's elapsed time at the first re-plan, where the steady pace is measured from.</summary>
    private TimeSpan _paceStart;

    /// <summary>T for a new run; <paramref name="forwardBackward"/> runs one forward and backward pass, to be timed.</summary>
    public long PlanTotalSteps(Action forwardBackward)
    {
        if (options.Steps is { } steps)
        {
            return steps;
        }
        long? fromEpochs = options.Epochs is { } epochs
            ? Math.Max(1, (long)Math.Ceiling(epochs * data.Training.BatchesPerEpoch(0) / options.GradientAccumulation))
            : null;
        if (options.TimeBudget is not { } budget)
        {
            return fromEpochs!.Value;
        }
        long fromBudget = StepsWithinBudget(budget, MeasureStepSeconds(forwardBackward));
        _fromBudget = fromEpochs is not { } epochSteps || epochSteps > fromBudget;
        return _fromBudget ? fromBudget : fromEpochs!.Value;
    }

    /// <summary>After step <paramref name="step"/>, which ended at <paramref name="elapsed"/>: the new T, or null to keep it.</summary>
    public long? AfterStep(long step, TimeSpan elapsed)
    {
        if (!_fromBudget || step != ReplanAfterSteps)
        {
            return null;
        }
        _paceStart = elapsed;
        double stepSeconds = elapsed.TotalSeconds / step;
        var remaining = options.TimeBudget!.Value - elapsed;
        return step + (remaining > TimeSpan.Zero ? StepsWithinBudget(remaining, stepSeconds) : 0);
    }

    /// <summary>
    /// After the evaluation at <paramref name="step"/>: in the first half of the run, T from the pace of the steps
    /// since the first re-plan, evaluations and saves included: T = step + (budget − elapsed − final evaluation − final
    /// save) / seconds per step. In the first half a relative change of T changes the learning rate of the linear decay
    /// by at most about as much, relatively (by less the earlier it comes), so the schedule has no large jumps.
    /// </summary>
    public long? AfterEvaluation(long step, long totalSteps, TimeSpan elapsed, TimeSpan evaluationTime)
    {
        if (!_fromBudget || step <= ReplanAfterSteps || step > totalSteps / 2)
        {
            return null;
        }
        // The first steps run slower (the JIT recompiles hot code with optimisations), and the machine's load may change.
        double stepSeconds = (elapsed - _paceStart).TotalSeconds / (step - ReplanAfterSteps);
        double secondsLeft = (options.TimeBudget!.Value - elapsed).TotalSeconds - evaluationTime.TotalSeconds - AssumedSaveSeconds;
        long steps = step + Math.Max(0, (long)(secondsLeft / stepSeconds));
        log($"Planning {steps:N0} steps: {stepSeconds * 1000:F0} ms per step since step {ReplanAfterSteps}, evaluations and saves included.");
        return steps;
    }

    /// <summary>Times the second of two forward+backward passes (the first warms up the JIT); seconds per optimizer step.</summary>
    private double MeasureStepSeconds(Action forwardBackward)
    {
        forwardBackward();
        long started = clock.GetTimestamp();
        forwardBackward();
        double stepSeconds = clock.GetElapsedTime(started).TotalSeconds * options.GradientAccumulation * 1.05;
        log($"Measured {stepSeconds * 1000:F0} ms per step before training.");
        return stepSeconds;
    }

    /// <summary>
    /// Fits steps, evaluations and saves into <paramref name="budget"/>:
    /// T = (budget − final evaluation) / (step + evaluation/EvalEvery + save/CheckpointEvery).
    /// </summary>
    private long StepsWithinBudget(TimeSpan budget, double stepSeconds)
    {
        int evalBatches = options.EvalBatches == 0 ? data.Evaluation.BatchCount : Math.Min(options.EvalBatches, data.Evaluation.BatchCount);
        double evalSeconds = evalBatches * stepSeconds / options.GradientAccumulation * ForwardFractionOfStep;
        double perStep = stepSeconds + evalSeconds / options.EvalEvery + AssumedSaveSeconds / options.CheckpointEvery;
        double available = budget.TotalSeconds - evalSeconds - AssumedSaveSeconds;
        long steps = Math.Max(1, (long)(available / perStep));
        log($"Planning {steps:N0} steps for the {budget:hh\\:mm\\:ss} left of the budget ({stepSeconds * 1000:F0} ms per step).");
        return steps;
    }
}

namespace MiniBioBert.Training.Reporting;

/// <summary>End-of-run figures for <see cref="TrainingDashboard.Summary"/>; null values are left out of the table.</summary>
internal sealed record TrainingSummary
{
    /// <summary>Optimizer updates completed.</summary>
    public required long Steps { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Passes over the training data.</summary>
    public double? Epochs { get; init; }

    /// <summary>Training loss at the end.</summary>
    public double? FinalTrainLoss { get; init; }

    /// <summary>Loss of the last evaluation.</summary>
    public double? FinalEvalLoss { get; init; }

    /// <summary>MLM accuracy of the last evaluation.</summary>
    public double? EvalMlmAccuracy { get; init; }

    /// <summary>NSP accuracy of the last evaluation.</summary>
    public double? EvalNspAccuracy { get; init; }

    /// <summary>MLM perplexity of the last evaluation.</summary>
    public double? EvalMlmPerplexity { get; init; }

    /// <summary>Mean training throughput.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Where the run's metrics, plots and checkpoints are.</summary>
    public string? RunDirectory { get; init; }
}

namespace MiniBioBert.Training.Reporting;

/// <summary>A snapshot of the run for <see cref="TrainingDashboard.Update"/>; optional values show as "–".</summary>
internal sealed record TrainingProgress
{
    /// <summary>Optimizer updates completed.</summary>
    public required long Step { get; init; }

    /// <summary>Updates planned for the whole run.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>Passes over the training data so far, fractional.</summary>
    public double? Epoch { get; init; }

    /// <summary>Recent training loss.</summary>
    public double? Loss { get; init; }

    /// <summary>Recent MLM accuracy.</summary>
    public double? MlmAccuracy { get; init; }

    /// <summary>Recent NSP accuracy.</summary>
    public double? NspAccuracy { get; init; }

    /// <summary>Learning rate of the last update.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Recent training throughput.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Run time so far (across resumes); when null the dashboard's own clock is shown.</summary>
    public TimeSpan? Elapsed { get; init; }
}

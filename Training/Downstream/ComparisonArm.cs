namespace MiniBioBert.Training.Downstream;

/// <summary>A score a comparison reports: a short name for the console and a long one for the table's header.</summary>
internal sealed record ComparisonMetric(string Short, string Long);

/// <summary>
/// One side of an initialisation comparison: its name, its --init, and per seed the test scores, one per
/// <see cref="ComparisonMetric"/> of the comparison (the first is the main one, plotted).
/// </summary>
internal sealed record ComparisonArm(string Name, string Init, IReadOnlyList<double[]> Runs)
{
    /// <summary>Metric <paramref name="metric"/> of each seed.</summary>
    public IReadOnlyList<double> Values(int metric) => [.. Runs.Select(run => run[metric])];

    /// <summary>Mean of metric <paramref name="metric"/> over the seeds.</summary>
    public double MeanOf(int metric) => Values(metric).Average();

    /// <summary>Sample standard deviation of metric <paramref name="metric"/> (n − 1 in the denominator; 0 for a single seed).</summary>
    public double StandardDeviationOf(int metric)
    {
        var values = Values(metric);
        double mean = values.Average();
        return values.Count < 2 ? 0 : Math.Sqrt(values.Sum(f => (f - mean) * (f - mean)) / (values.Count - 1));
    }
}

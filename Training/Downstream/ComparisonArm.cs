namespace MiniBioBert.Training.Downstream;

/// <summary>One side of an initialisation comparison: its name, its --init, and the test F1 of each seed.</summary>
internal sealed record ComparisonArm(string Name, string Init, IReadOnlyList<double> TestF1)
{
    public double Mean => TestF1.Average();

    /// <summary>Sample standard deviation (n − 1 in the denominator; 0 for a single seed).</summary>
    public double StandardDeviation => TestF1.Count < 2
        ? 0
        : Math.Sqrt(TestF1.Sum(f => (f - Mean) * (f - Mean)) / (TestF1.Count - 1));
}

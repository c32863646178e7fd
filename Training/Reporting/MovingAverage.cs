namespace MiniBioBert.Training.Reporting;

/// <summary>Trailing moving average, for smoothing noisy per-step training curves.</summary>
internal static class MovingAverage
{
    /// <summary>yᵢ = mean of values[max(0, i − window + 1) .. i]: the first points average what exists so far.</summary>
    public static double[] Trailing(IReadOnlyList<double> values, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var smoothed = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }
            smoothed[i] = sum / Math.Min(i + 1, window);
        }
        return smoothed;
    }
}

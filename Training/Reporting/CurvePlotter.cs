using MiniBioBert.Engine.IO;
using ScottPlot;

namespace MiniBioBert.Training.Reporting;

/// <summary>
/// Training curves from metrics records as PNG files (ScottPlot, rendered off-screen by SkiaSharp):
/// <c>loss.png</c> (train loss raw and smoothed, eval loss), <c>accuracy.png</c> (MLM and NSP accuracy, train and eval)
/// and <c>lr.png</c> (learning rate), all against the optimizer step. Files are replaced atomically.
/// </summary>
internal static class CurvePlotter
{
    /// <summary>File name of the loss plot.</summary>
    public const string LossFileName = "loss.png";

    /// <summary>File name of the accuracy plot.</summary>
    public const string AccuracyFileName = "accuracy.png";

    /// <summary>File name of the learning-rate plot.</summary>
    public const string LearningRateFileName = "lr.png";

    private const int Width = 1000;
    private const int Height = 560;

    /// <summary>
    /// Writes the three plots into <paramref name="directory"/> (created if needed) and returns their paths.
    /// Train curves are smoothed by a trailing mean over <paramref name="smoothingWindow"/> train records.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(IReadOnlyList<MetricsRecord> records, string directory, int smoothingWindow = 20)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(smoothingWindow, 1);
        string[] paths =
        [
            Path.Combine(directory, LossFileName),
            Path.Combine(directory, AccuracyFileName),
            Path.Combine(directory, LearningRateFileName),
        ];
        // Legends go where the curves usually are not: losses fall, accuracies rise.
        Save(LossPlot(records, smoothingWindow), Alignment.UpperRight, paths[0]);
        Save(AccuracyPlot(records, smoothingWindow), Alignment.LowerRight, paths[1]);
        Save(LearningRatePlot(records), Alignment.UpperRight, paths[2]);
        return paths;
    }

    private static Plot LossPlot(IReadOnlyList<MetricsRecord> records, int smoothingWindow)
    {
        var plot = NewPlot("Loss", "loss");
        var (steps, losses) = Series(records, MetricsSplit.Train, r => r.Loss);
        AddLine(plot, steps, losses, "train", Colors.Blue.WithAlpha(0.25), width: 1);
        AddLine(plot, steps, MovingAverage.Trailing(losses, smoothingWindow), $"train (mean of {smoothingWindow})", Colors.Blue, width: 2);
        var (evalSteps, evalLosses) = Series(records, MetricsSplit.Eval, r => r.Loss);
        AddMarkedLine(plot, evalSteps, evalLosses, "eval", Colors.OrangeRed);
        return plot;
    }

    private static Plot AccuracyPlot(IReadOnlyList<MetricsRecord> records, int smoothingWindow)
    {
        var plot = NewPlot("Accuracy", "accuracy");
        var (mlmSteps, mlm) = Series(records, MetricsSplit.Train, r => r.MlmAccuracy);
        AddLine(plot, mlmSteps, MovingAverage.Trailing(mlm, smoothingWindow), "MLM train", Colors.Blue, width: 2);
        var (nspSteps, nsp) = Series(records, MetricsSplit.Train, r => r.NspAccuracy);
        AddLine(plot, nspSteps, MovingAverage.Trailing(nsp, smoothingWindow), "NSP train", Colors.Green, width: 2);
        var (mlmEvalSteps, mlmEval) = Series(records, MetricsSplit.Eval, r => r.MlmAccuracy);
        AddMarkedLine(plot, mlmEvalSteps, mlmEval, "MLM eval", Colors.OrangeRed);
        var (nspEvalSteps, nspEval) = Series(records, MetricsSplit.Eval, r => r.NspAccuracy);
        AddMarkedLine(plot, nspEvalSteps, nspEval, "NSP eval", Colors.Purple);
        return plot;
    }

    private static Plot LearningRatePlot(IReadOnlyList<MetricsRecord> records)
    {
        var plot = NewPlot("Learning rate", "learning rate");
        var (steps, rates) = Series(records, MetricsSplit.Train, r => r.LearningRate);
        AddLine(plot, steps, rates, "lr", Colors.Blue, width: 2);
        return plot;
    }

    private static Plot NewPlot(string title, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>(step, value) of the records of one split that have the value; non-finite values are left out.</summary>
    private static (double[] Steps, double[] Values) Series(IReadOnlyList<MetricsRecord> records, string split, Func<MetricsRecord, double?> value)
    {
        var points = records
            .Where(r => r.Split == split && value(r) is double v && double.IsFinite(v))
            .Select(r => (Step: (double)r.Step, Value: value(r)!.Value))
            .ToArray();
        return ([.. points.Select(p => p.Step)], [.. points.Select(p => p.Value)]);
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color, float width)
    {
        if (xs.Length == 0)
        {
            return;
        }
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = width;
        line.LegendText = label;
    }

    private static void AddMarkedLine(Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        if (xs.Length == 0)
        {
            return;
        }
        var line = plot.Add.Scatter(xs, ys, color);
        line.LineWidth = 2;
        line.MarkerSize = 6;
        line.LegendText = label;
    }

    private static void Save(Plot plot, Alignment legendAlignment, string path)
    {
        plot.ShowLegend(legendAlignment);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }
}

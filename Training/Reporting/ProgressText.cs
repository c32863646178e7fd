using System.Globalization;

namespace MiniBioBert.Training.Reporting;

/// <summary>How the dashboard writes numbers, identically in the live table, plain lines and the summary.</summary>
internal static class ProgressText
{
    private const string Missing = "–";

    public static string Loss(double? value) => Format(value, "0.0000");

    public static string Accuracy(double? value) => Format(value, "0.0000");

    public static string Epoch(double? value) => Format(value, "0.00");

    public static string LearningRate(double? value) => Format(value, "0.00e+00");

    public static string TokensPerSecond(double? value) => Format(value, "#,0");

    /// <summary>h:mm:ss, hours not wrapped at 24.</summary>
    public static string Duration(TimeSpan? value) =>
        value is TimeSpan t ? $"{(long)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : Missing;

    public static string Step(long step, long total) => $"{step}/{total}";

    private static string Format(double? value, string format) =>
        value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : Missing;
}

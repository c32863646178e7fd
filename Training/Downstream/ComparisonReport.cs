using MiniBioBert.Engine.IO;
using System.Globalization;
using System.Text;
using ScottPlot;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Writes a comparison into the documentation: a markdown section (settings, mean ± std of each test score, the main
/// score per seed) between marker comments of its task in a markdown file (replaced on rerun, appended the first
/// time), and a bar plot PNG of the main score.
/// </summary>
internal static class ComparisonReport
{
    /// <summary>The markdown section for <paramref name="arms"/>; <paramref name="imageLink"/> is the PNG's path relative to the markdown file.</summary>
    public static string Markdown(string task, IReadOnlyList<ComparisonArm> arms, IReadOnlyList<ComparisonMetric> metrics, string settings, string imageLink)
    {
        var text = new StringBuilder();
        text.AppendLine(BeginMarker(task));
        text.AppendLine(CultureInfo.InvariantCulture, $"Settings: {settings}");
        text.AppendLine();
        text.AppendLine($"| initialisation | {string.Join(" | ", metrics.Select(m => $"test {m.Long}, mean ± std"))} | per seed |");
        text.AppendLine($"|---|{string.Concat(metrics.Select(_ => "---|"))}---|");
        foreach (var arm in arms)
        {
            string perSeed = string.Join(", ", arm.Values(0).Select(f => (100 * f).ToString("F2", CultureInfo.InvariantCulture)));
            string means = string.Join(" | ", metrics.Select((_, m) => string.Create(CultureInfo.InvariantCulture, $"{100 * arm.MeanOf(m):F2} ± {100 * arm.StandardDeviationOf(m):F2}")));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {arm.Name} (`{arm.Init}`) | {means} | {perSeed} |");
        }
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"![test {metrics[0].Short} by initialisation]({imageLink})");
        text.AppendLine(EndMarker(task));
        return text.ToString();
    }

    /// <summary>Replaces the section of <paramref name="task"/> in <paramref name="markdownPath"/> (or appends it) atomically.</summary>
    public static void UpdateMarkdown(string markdownPath, string task, string section)
    {
        string existing = File.Exists(markdownPath) ? File.ReadAllText(markdownPath) : "";
        string beginMarker = BeginMarker(task), endMarker = EndMarker(task);
        int begin = existing.IndexOf(beginMarker, StringComparison.Ordinal);
        int end = existing.IndexOf(endMarker, StringComparison.Ordinal);
        string updated = begin >= 0 && end > begin
            ? existing[..begin] + section.TrimEnd('\n') + existing[(end + endMarker.Length)..]
            : existing + (existing.Length == 0 || existing.EndsWith('\n') ? "" : "\n") + section;
        AtomicFile.WriteAllBytes(markdownPath, Encoding.UTF8.GetBytes(updated));
    }

    /// <summary>A bar per arm (mean of the main score in percent) with ± one standard deviation as error bar.</summary>
    public static void Plot(IReadOnlyList<ComparisonArm> arms, string title, string yLabel, string pngPath)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = arms.Select((arm, i) => new Bar
        {
            Position = i,
            Value = 100 * arm.MeanOf(0),
            Error = 100 * arm.StandardDeviationOf(0),
            FillColor = palette.GetColor(i),
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. arms.Select((_, i) => (double)i)], [.. arms.Select(a => a.Name)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        AtomicFile.WriteAllBytes(pngPath, plot.GetImageBytes(640, 420, ImageFormat.Png));
    }

    private static string BeginMarker(string task) => $"<!-- compare:{task}:begin -->";

    private static string EndMarker(string task) => $"<!-- compare:{task}:end -->";
}

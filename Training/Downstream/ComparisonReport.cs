using MiniBioBert.Engine.IO;
using System.Globalization;
using System.Text;
using ScottPlot;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Writes a comparison into the documentation: a markdown section (settings, mean ± std of test F1, per-seed values)
/// between marker comments in a markdown file (replaced on rerun, appended the first time), and a bar plot PNG.
/// </summary>
internal static class ComparisonReport
{
    private const string BeginMarker = "<!-- compare:ner:begin -->";
    private const string EndMarker = "<!-- compare:ner:end -->";

    /// <summary>The markdown section for <paramref name="arms"/>; <paramref name="imageLink"/> is the PNG's path relative to the markdown file.</summary>
    public static string Markdown(IReadOnlyList<ComparisonArm> arms, string settings, string imageLink)
    {
        var text = new StringBuilder();
        text.AppendLine(BeginMarker);
        text.AppendLine(CultureInfo.InvariantCulture, $"Settings: {settings}");
        text.AppendLine();
        text.AppendLine("| initialisation | test entity F1 (micro), mean ± std | per seed |");
        text.AppendLine("|---|---|---|");
        foreach (var arm in arms)
        {
            string perSeed = string.Join(", ", arm.TestF1.Select(f => (100 * f).ToString("F2", CultureInfo.InvariantCulture)));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {arm.Name} (`{arm.Init}`) | {100 * arm.Mean:F2} ± {100 * arm.StandardDeviation:F2} | {perSeed} |");
        }
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"![test F1 by initialisation]({imageLink})");
        text.AppendLine(EndMarker);
        return text.ToString();
    }

    /// <summary>Replaces the marked section of <paramref name="markdownPath"/> (or appends it) atomically.</summary>
    public static void UpdateMarkdown(string markdownPath, string section)
    {
        string existing = File.Exists(markdownPath) ? File.ReadAllText(markdownPath) : "";
        int begin = existing.IndexOf(BeginMarker, StringComparison.Ordinal);
        int end = existing.IndexOf(EndMarker, StringComparison.Ordinal);
        string updated = begin >= 0 && end > begin
            ? existing[..begin] + section.TrimEnd('\n') + existing[(end + EndMarker.Length)..]
            : existing + (existing.Length == 0 || existing.EndsWith('\n') ? "" : "\n") + section;
        AtomicFile.WriteAllBytes(markdownPath, Encoding.UTF8.GetBytes(updated));
    }

    /// <summary>A bar per arm (mean test F1 in percent) with ± one standard deviation as error bar.</summary>
    public static void Plot(IReadOnlyList<ComparisonArm> arms, string title, string pngPath)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = arms.Select((arm, i) => new Bar
        {
            Position = i,
            Value = 100 * arm.Mean,
            Error = 100 * arm.StandardDeviation,
            FillColor = palette.GetColor(i),
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. arms.Select((_, i) => (double)i)], [.. arms.Select(a => a.Name)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("test entity F1 (micro, %)");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        AtomicFile.WriteAllBytes(pngPath, plot.GetImageBytes(640, 420, ImageFormat.Png));
    }
}

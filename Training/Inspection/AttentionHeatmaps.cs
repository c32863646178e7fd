using MiniBioBert.Engine.IO;
using MiniBioBert.Training.Reporting;
using ScottPlot;

namespace MiniBioBert.Training.Inspection;

/// <summary>
/// Attention heatmaps as PNG files (ScottPlot): one per layer and head, query tokens down the rows and key tokens
/// along the columns, and one overview with every layer (rows) × head (columns). Colours span the fixed range
/// [0, 1] so that heads can be compared with each other. Files are replaced atomically.
/// </summary>
internal static class AttentionHeatmaps
{
    /// <summary>File name of the image with all layers and heads.</summary>
    public const string OverviewFileName = "attention-overview.png";

    /// <summary>Token labels are left out of overview cells for inputs longer than this (they would overlap).</summary>
    private const int MaxLabelledTokensInOverview = 24;

    private const int OverviewCellSize = 420;

    /// <summary>Approximate width of one character of a tick label in ScottPlot's default font.</summary>
    private const float PixelsPerLabelCharacter = 8;

    /// <summary>File name of one head's heatmap, e.g. "layer0-head3.png".</summary>
    public static string HeadFileName(int layer, int head) => $"layer{layer}-head{head}.png";

    /// <summary>Writes every head's heatmap and the overview into <paramref name="directory"/>; returns the paths, overview last.</summary>
    public static IReadOnlyList<string> WriteAll(AttentionMaps maps, string directory)
    {
        var paths = new List<string>();
        for (int layer = 0; layer < maps.LayerCount; layer++)
        {
            for (int head = 0; head < maps.HeadCount; head++)
            {
                string path = Path.Combine(directory, HeadFileName(layer, head));
                AtomicFile.WriteAllBytes(path, HeadPng(maps, layer, head));
                paths.Add(path);
            }
        }
        string overview = Path.Combine(directory, OverviewFileName);
        AtomicFile.WriteAllBytes(overview, OverviewPng(maps));
        paths.Add(overview);
        return paths;
    }

    /// <summary>One head's heatmap, titled "layer L head H", with a colour bar; the image grows with the token count.</summary>
    public static byte[] HeadPng(AttentionMaps maps, int layer, int head)
    {
        var plot = HeadPlot(maps, layer, head, labelTokens: true, colorBar: true);
        plot.XLabel("key");
        plot.YLabel("query");
        // about 14 pixels per token label, within [600, 4000]
        int size = Math.Clamp(240 + 14 * maps.Tokens.Count, 600, 4000);
        return plot.GetImageBytes(size + 100, size, ImageFormat.Png);
    }

    /// <summary>All layers × heads on one page: row l, column h is layer l head h.</summary>
    public static byte[] OverviewPng(AttentionMaps maps)
    {
        bool labelTokens = maps.Tokens.Count <= MaxLabelledTokensInOverview;
        var plots = new List<Plot>();
        for (int layer = 0; layer < maps.LayerCount; layer++)
        {
            for (int head = 0; head < maps.HeadCount; head++)
            {
                plots.Add(HeadPlot(maps, layer, head, labelTokens, colorBar: false));
            }
        }
        // A Multiplot starts with the plot it is given; the others follow in row-major order.
        var multiplot = new Multiplot(plots[0]);
        foreach (var plot in plots.Skip(1))
        {
            multiplot.AddPlot(plot);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(maps.LayerCount, maps.HeadCount);
        var image = multiplot.Render(maps.HeadCount * OverviewCellSize, maps.LayerCount * OverviewCellSize);
        return image.GetImageBytes(ImageFormat.Png);
    }

    /// <summary>
    /// The heatmap of one head. ScottPlot draws row 0 of the matrix at the top with cell centres on integer
    /// coordinates, so query i sits at y = T − 1 − i and key j at x = j.
    /// </summary>
    private static Plot HeadPlot(AttentionMaps maps, int layer, int head, bool labelTokens, bool colorBar)
    {
        int length = maps.Tokens.Count;
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(maps.Head(layer, head));
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        if (colorBar)
        {
            plot.Add.ColorBar(heatmap);
        }
        plot.Title($"layer {layer} head {head}");
        plot.HideGrid();
        plot.Axes.SetLimits(-0.5, length - 0.5, -0.5, length - 0.5);
        if (labelTokens)
        {
            double[] positions = [.. Enumerable.Range(0, length).Select(i => (double)i)];
            plot.Axes.Bottom.SetTicks(positions, [.. maps.Tokens]);
            plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            // ScottPlot sizes the axis for unrotated labels; make room for the longest rotated one.
            plot.Axes.Bottom.MinimumSize = PixelsPerLabelCharacter * maps.Tokens.Max(t => t.Length) + 24;
            plot.Axes.Left.SetTicks([.. positions.Reverse()], [.. maps.Tokens]);
        }
        else
        {
            plot.Axes.Bottom.TickLabelStyle.IsVisible = false;
            plot.Axes.Left.TickLabelStyle.IsVisible = false;
        }
        return plot;
    }
}

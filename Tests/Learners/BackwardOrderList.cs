using System.Text.RegularExpressions;

namespace MiniBioBert.Tests.Learners;

/// <summary>
/// The walkthrough's ordered list of backward nodes: the numbered list between the lines
/// <c>&lt;!-- backward-order --&gt;</c> and <c>&lt;!-- /backward-order --&gt;</c>. Each item starts with its number
/// (1, 2, 3, … with no gap), a dot and the operation's name in backticks, as <see cref="MiniBioBert.Engine.Autograd.GraphNode.OperationName"/>
/// spells it: <c>1. `Add` — …</c>. An item whose first line contains <c>× layers</c> is repeated: a run of consecutive
/// such items is one encoder layer's nodes, and stands for that run once per layer (the last layer first, as backward
/// visits them). Other lines (an item's continuation lines, blank lines) are text.
/// </summary>
internal static partial class BackwardOrderList
{
    public const string StartMarker = "<!-- backward-order -->";
    public const string EndMarker = "<!-- /backward-order -->";
    public const string RepeatedMark = "× layers";

    /// <summary>One item: the operation's name and whether it repeats once per layer.</summary>
    public sealed record Item(int Line, string OperationName, bool PerLayer);

    [GeneratedRegex(@"^(\d+)\.\s+`(\w+)`(.*)$")]
    private static partial Regex NumberedItem();

    /// <summary>The items of the one backward-order list of the markdown file at <paramref name="path"/>.</summary>
    public static List<Item> Parse(string path)
    {
        string[] lines = File.ReadAllLines(path);
        int start = Array.FindIndex(lines, line => line.Trim() == StartMarker);
        int end = Array.FindIndex(lines, line => line.Trim() == EndMarker);
        if (start < 0 || end < start || Array.FindLastIndex(lines, line => line.Trim() == StartMarker) != start)
        {
            throw new FormatException($"{path}: expected one {StartMarker} … {EndMarker} block.");
        }
        var items = new List<Item>();
        for (int i = start + 1; i < end; i++)
        {
            var match = NumberedItem().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }
            if (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) != items.Count + 1)
            {
                throw new FormatException($"{path}:{i + 1}: item {match.Groups[1].Value} where {items.Count + 1} was expected.");
            }
            items.Add(new Item(i + 1, match.Groups[2].Value, match.Groups[3].Value.Contains(RepeatedMark, StringComparison.Ordinal)));
        }
        return items;
    }

    /// <summary>The operation names in the order backward runs them, each per-layer run repeated <paramref name="layers"/> times.</summary>
    public static List<string> Expand(IReadOnlyList<Item> items, int layers)
    {
        var names = new List<string>();
        for (int i = 0; i < items.Count;)
        {
            if (!items[i].PerLayer)
            {
                names.Add(items[i++].OperationName);
                continue;
            }
            var group = items.Skip(i).TakeWhile(item => item.PerLayer).Select(item => item.OperationName).ToList();
            for (int layer = 0; layer < layers; layer++)
            {
                names.AddRange(group);
            }
            i += group.Count;
        }
        return names;
    }
}

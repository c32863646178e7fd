using System.Globalization;
using System.Text.RegularExpressions;
using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Commands;

/// <summary>Durations written like <c>90s</c>, <c>60m</c>, <c>1h</c>, <c>1h30m</c>, <c>2.5m</c>.</summary>
internal static partial class DurationText
{
    /// <summary>The duration of <paramref name="text"/>; <see cref="ArgumentException"/> when it is not one.</summary>
    public static TimeSpan Parse(string text)
    {
        var match = Duration().Match(text.Trim());
        if (!match.Success)
        {
            throw new ArgumentException($"'{InputText.Quote(text)}' is not a duration; write it like 90s, 20m, 1h or 1h30m.");
        }
        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            double value = double.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
            total += part.Value[^1] switch
            {
                'h' => TimeSpan.FromHours(value),
                'm' => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromSeconds(value),
            };
        }
        return total > TimeSpan.Zero ? total : throw new ArgumentException($"Duration '{InputText.Quote(text)}' must be positive.");
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?[hms])+$")]
    private static partial Regex Duration();
}

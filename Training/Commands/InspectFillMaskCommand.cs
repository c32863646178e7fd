using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniBioBert.Training.Inspection;
using Spectre.Console;

namespace MiniBioBert.Training.Commands;

/// <summary><c>inspect fill-mask</c>: the most probable tokens for each [MASK] in a text, as a table or as JSON.</summary>
internal static class InspectFillMaskCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static Command Create()
    {
        var checkpoint = InspectModelCommands.CheckpointOption();
        var device = DeviceOption.Create();
        var text = new Option<string>("--text") { Description = "Text with at least one [MASK].", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Candidates per [MASK].", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print JSON (Hugging Face's fill-mask fields) instead of a table." };
        var command = new Command("fill-mask", "Predict the tokens hidden behind [MASK], like Hugging Face's fill-mask pipeline.")
        {
            checkpoint, text, topK, json, device,
        };
        command.SetAction(parseResult => InspectModelCommands.RunReportingErrors(parseResult, writer =>
        {
            using var computeDevice = DeviceOption.Open(parseResult.GetValue(device)!);
            var model = InspectedCheckpoint.Load(parseResult.GetValue(checkpoint)!, computeDevice);
            var predictions = FillMask.Predict(model, parseResult.GetValue(text)!, parseResult.GetValue(topK));
            if (parseResult.GetValue(json))
            {
                writer.WriteLine(JsonSerializer.Serialize(predictions, JsonOptions));
            }
            else
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
                console.Write(Table(predictions));
            }
            return 0;
        }));
        return command;
    }

    private static Table Table(IReadOnlyList<MaskPrediction> predictions)
    {
        var table = new Table()
            .AddColumn("position")
            .AddColumn("rank")
            .AddColumn("token")
            .AddColumn(new TableColumn("probability").RightAligned())
            .AddColumn("sequence");
        foreach (var prediction in predictions)
        {
            for (int rank = 0; rank < prediction.Candidates.Count; rank++)
            {
                var candidate = prediction.Candidates[rank];
                table.AddRow(
                    rank == 0 ? prediction.Position.ToString(CultureInfo.InvariantCulture) : "",
                    (rank + 1).ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(candidate.Token),
                    candidate.Probability.ToString("F4", CultureInfo.InvariantCulture),
                    Markup.Escape(candidate.Sequence));
            }
        }
        return table;
    }
}

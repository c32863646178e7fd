using System.CommandLine;
using MiniBioBert.Training.Inspection;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary><c>inspect attention</c>: heatmaps of every layer's and head's attention probabilities for one input.</summary>
internal static class InspectAttentionCommand
{
    public static Command Create()
    {
        var checkpoint = InspectModelCommands.CheckpointOption();
        var device = DeviceOption.Create();
        var text = new Option<string>("--text") { Description = "Sentence A.", Required = true };
        var textB = new Option<string?>("--text-b") { Description = "Optional sentence B (encoded as [CLS] A [SEP] B [SEP])." };
        var output = new Option<string>("--output")
        {
            Description = "Directory for the PNG files.",
            DefaultValueFactory = _ => "attention",
        };
        var command = new Command("attention", "Draw attention heatmaps (query rows × key columns) for every layer and head.")
        {
            checkpoint, text, textB, output, device,
        };
        command.SetAction(parseResult => InspectModelCommands.RunReportingErrors(parseResult, writer =>
        {
            string outputDirectory = parseResult.GetValue(output)!;
            OutputDirectoryCheck.EnsureFolderCanBeWritten("--output", outputDirectory);
            using var computeDevice = DeviceOption.Open(parseResult.GetValue(device)!);
            var model = InspectedCheckpoint.Load(parseResult.GetValue(checkpoint)!, computeDevice);
            var maps = AttentionMaps.Compute(model, parseResult.GetValue(text)!, parseResult.GetValue(textB));
            var paths = AttentionHeatmaps.WriteAll(maps, outputDirectory);
            writer.WriteLine($"tokens ({maps.Tokens.Count}): {string.Join(' ', maps.Tokens)}");
            writer.WriteLine($"wrote {paths.Count - 1} heatmaps ({maps.LayerCount} layers × {maps.HeadCount} heads) and the overview {paths[^1]}");
            return 0;
        }));
        return command;
    }
}

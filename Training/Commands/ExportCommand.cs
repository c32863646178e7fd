using System.CommandLine;
using MiniBioBert.Training.Export;

namespace MiniBioBert.Training.Commands;

/// <summary>
/// <c>export onnx --checkpoint DIR --output model.onnx</c>: a pretraining or fine-tuned checkpoint as one ONNX file.
/// The output path is checked first, the checkpoint loaded second, and the file appears only when complete.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Export a checkpoint to another format.");
        var onnx = new Command("onnx", "Write a pretraining (MLM + NSP) or fine-tuned (NER, classification) checkpoint as an ONNX model (opset 17).");
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'train' or 'finetune'.", Required = true };
        var output = new Option<string>("--output") { Description = "The .onnx file to write.", Required = true };
        onnx.Options.Add(checkpoint);
        onnx.Options.Add(output);
        CommandRunner.SetAction(onnx, (result, writer) =>
        {
            string outputPath = result.GetValue(output)!;
            string directory = result.GetValue(checkpoint)!;
            CheckWritable(outputPath);
            var (model, kind) = OnnxExport.Build(directory);
            OnnxExport.Write(model, outputPath);
            writer.WriteLine($"{kind} model from {directory} written to {outputPath} " +
                $"({model.Graph.Node.Count} nodes, {model.Graph.Initializer.Count} initializers, opset {OnnxGraphBuilder.OpsetVersion}).");
            return CommandRunner.Success;
        });
        command.Subcommands.Add(onnx);
        return command;
    }

    /// <summary>Throws (an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>) unless a file can be created beside <paramref name="path"/>.</summary>
    private static void CheckWritable(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new IOException($"--output '{path}' is a directory; give a file name such as model.onnx.");
        }
        string folder = Path.GetDirectoryName(fullPath)!;
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.probe-{Engine.IO.AtomicFile.RandomSuffix()}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--output '{path}' cannot be written: {e.Message}", e);
        }
    }
}

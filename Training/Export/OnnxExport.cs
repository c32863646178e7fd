using Google.Protobuf;
using MiniBioBert.Engine.IO;
using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using Onnx;

namespace MiniBioBert.Training.Export;

/// <summary>
/// Exports a checkpoint directory to one .onnx file: a fine-tuned checkpoint (it has
/// <see cref="FineTunedCheckpoint.ClassifierFileName"/>) through <see cref="FineTunedOnnxExporter"/>, any other
/// through <see cref="PretrainingOnnxExporter"/>. The file is written to a temporary name and moved into place.
/// </summary>
internal static class OnnxExport
{
    /// <summary>Loads <paramref name="checkpoint"/> (throws if it does not load) and builds its graph; writes nothing.</summary>
    public static (ModelProto Model, string Kind) Build(string checkpoint)
    {
        if (File.Exists(Path.Combine(checkpoint, FineTunedCheckpoint.ClassifierFileName)))
        {
            var fineTuned = FineTunedCheckpoint.Load(checkpoint);
            return (FineTunedOnnxExporter.Build(fineTuned), fineTuned.Task.ToString());
        }
        return (PretrainingOnnxExporter.Build(BertForPreTraining.Load(checkpoint)), "Pretraining");
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="output"/> atomically (no partial file on failure).</summary>
    public static void Write(ModelProto model, string output) => AtomicFile.Write(output, model.WriteTo);
}

using System.CommandLine;
using System.Text.Json;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary>
/// <c>loss --checkpoint DIR --batch FILE --grads OUT</c>: one forward and backward pass without dropout on a batch
/// from a safetensors file (int64 <c>input_ids</c>, <c>token_type_ids</c>, <c>attention_mask</c>, <c>mlm_labels</c>
/// [B, T], <c>nsp_labels</c> [B]); writes every parameter's gradient under its Hugging Face name to OUT and prints
/// the losses and accuracies as JSON. For comparing with PyTorch. With <c>--device</c> the passes run on that device and
/// the gradients are downloaded before they are written.
/// </summary>
internal static class LossCommand
{
    /// <summary>The <c>loss</c> command.</summary>
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint directory (Hugging Face layout).", Required = true };
        var batch = new Option<string>("--batch") { Description = "Safetensors batch file.", Required = true };
        var grads = new Option<string>("--grads") { Description = "Output safetensors file of the gradients.", Required = true };
        var device = DeviceOption.Create();
        var command = new Command("loss", "Loss, accuracies and all parameter gradients of one batch (dropout off).") { checkpoint, batch, grads, device };
        CommandRunner.SetAction(command, (p, output) =>
        {
            string gradsPath = p.GetValue(grads)!, checkpointDirectory = p.GetValue(checkpoint)!, batchPath = p.GetValue(batch)!;
            OutputDirectoryCheck.EnsureFileCanBeWritten("--grads", gradsPath);
            using var computeDevice = DeviceOption.Open(p.GetValue(device)!);
            var model = BertForPreTraining.Load(checkpointDirectory);
            if (File.Exists(Path.Combine(checkpointDirectory, CheckpointDirectory.VocabFileName)))
            {
                CheckpointDirectory.CheckVocabularyFits(CheckpointDirectory.VocabPath(checkpointDirectory), checkpointDirectory, model.Config.VocabSize);
            }
            var inputs = ReadBatch(batchPath);
            CheckIds(inputs, batchPath, checkpointDirectory, model.Config);
            model.MoveTo(computeDevice);
            var result = model.Forward(inputs, ForwardContext.Evaluation);
            result.Loss.Backward();
            var writer = new SafeTensorsWriter();
            foreach (var parameter in model.Parameters.Parameters)
            {
                writer.AddFloat32(parameter.Name, parameter.Value.Grad!.ToArray(), parameter.Value.ShapeArray()); // downloaded from a GPU
            }
            writer.Write(gradsPath);
            var scores = result.Score();
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
            {
                ["mlm_loss"] = scores.MlmLoss,
                ["nsp_loss"] = scores.NspLoss,
                ["loss"] = result.Loss.Item(),
                ["mlm_accuracy"] = scores.MlmAccuracy,
                ["nsp_accuracy"] = scores.NspAccuracy,
            }));
            return CommandRunner.Success;
        });
        return command;
    }

    /// <summary>Reads the five int64 tensors of a batch file and checks their shapes agree.</summary>
    public static PretrainingInputs ReadBatch(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Batch file '{path}' does not exist.", path);
        }
        using var file = SafeTensorsFile.Open(path);
        int[] shape = Shape(file, path, "input_ids");
        if (shape.Length != 2)
        {
            throw new InvalidDataException($"{path}: input_ids must be [B, T], not rank {shape.Length}.");
        }
        foreach (string name in new[] { "token_type_ids", "attention_mask", "mlm_labels" })
        {
            if (!Shape(file, path, name).SequenceEqual(shape))
            {
                throw new InvalidDataException($"{path}: {name} must have the shape of input_ids [{shape[0]}, {shape[1]}].");
            }
        }
        if (!Shape(file, path, "nsp_labels").SequenceEqual(new[] { shape[0] }))
        {
            throw new InvalidDataException($"{path}: nsp_labels must be [{shape[0]}].");
        }
        return new PretrainingInputs(shape[0], shape[1], Ints(file, path, "input_ids"), Ints(file, path, "token_type_ids"),
            Ints(file, path, "attention_mask"), Ints(file, path, "mlm_labels"), Ints(file, path, "nsp_labels"));
    }

    /// <summary>Checks that the batch fits the model: token ids below vocab_size, segment ids below type_vocab_size, no longer than max_position_embeddings.</summary>
    private static void CheckIds(PretrainingInputs inputs, string path, string checkpoint, BertConfig config)
    {
        string where = $"(in '{Path.Combine(checkpoint, CheckpointDirectory.ConfigFileName)}')";
        if (inputs.SequenceLength > config.MaxPositionEmbeddings)
        {
            throw new InvalidDataException($"{path}: sequences of {inputs.SequenceLength} tokens are longer than the model's max_position_embeddings {config.MaxPositionEmbeddings} {where}.");
        }
        CheckRange(path, "input_ids", inputs.InputIds, config.VocabSize, $"the model's vocab_size {config.VocabSize} {where}");
        CheckRange(path, "token_type_ids", inputs.TokenTypeIds, config.TypeVocabSize, $"the model's type_vocab_size {config.TypeVocabSize} {where}");
    }

    private static void CheckRange(string path, string name, int[] values, int limit, string limitText)
    {
        int at = Array.FindIndex(values, v => v < 0 || v >= limit);
        if (at >= 0)
        {
            throw new InvalidDataException($"{path}: {name}[{at}] is {values[at]}, outside [0, {limit}) set by {limitText}.");
        }
    }

    private static int[] Shape(SafeTensorsFile file, string path, string name) =>
        file.Contains(name) ? file.Entry(name).ShapeArray() : throw new InvalidDataException($"{path}: missing tensor '{name}'.");

    private static int[] Ints(SafeTensorsFile file, string path, string name) =>
        file.ReadInt64s(name).Select(v => v is >= int.MinValue and <= int.MaxValue
            ? (int)v
            : throw new InvalidDataException($"{path}: {name} holds {v}, outside the int32 range.")).ToArray();
}

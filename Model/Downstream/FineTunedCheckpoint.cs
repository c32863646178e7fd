using MiniBioBert.Engine.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Model.Downstream;

/// <summary>
/// The directory of a fine-tuned model. <see cref="CheckpointDirectory"/> holds exactly the pretraining
/// parameters, so the head goes next to them:
/// <list type="bullet">
/// <item><c>model.safetensors</c>, <c>vocab.txt</c>: the encoder, as any pretraining checkpoint (Hugging Face names).</item>
/// <item><c>classifier.safetensors</c>: <c>classifier.weight</c> [L, H] and <c>classifier.bias</c> [L].</item>
/// <item><c>config.json</c>: the BERT config plus Hugging Face's <c>architectures</c>, <c>id2label</c>,
/// <c>label2id</c> and <c>problem_type</c>, and our <c>minibiobert_task</c>.</item>
/// </list>
/// The encoder directory is replaced atomically; the two extra files are then written atomically one by one.
/// </summary>
public static class FineTunedCheckpoint
{
    public const string ClassifierFileName = "classifier.safetensors";
    public const string TaskKey = "minibiobert_task";

    public static void Save(BertForFineTuning model, string directory, string vocabPath) =>
        SaveWithHead(model.Encoder, directory, vocabPath, ClassifierFileName, [model.Head.Weight, model.Head.Bias], config =>
        {
            config["architectures"] = new JsonArray(model.Task == FineTuningTask.TokenClassification
                ? "BertForTokenClassification" : "BertForSequenceClassification");
            var idToLabel = new JsonObject();
            var labelToId = new JsonObject();
            for (int i = 0; i < model.Labels.Count; i++)
            {
                idToLabel[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = model.Labels[i];
                labelToId[model.Labels[i]] = i;
            }
            config["id2label"] = idToLabel;
            config["label2id"] = labelToId;
            config["problem_type"] = model.Task switch
            {
                FineTuningTask.SingleLabelClassification => "single_label_classification",
                FineTuningTask.MultiLabelClassification => "multi_label_classification",
                _ => null,
            };
            config[TaskKey] = model.Task.ToString();
        });

    /// <summary>
    /// Writes <paramref name="encoder"/> as a pretraining checkpoint, the head's <paramref name="headTensors"/> (named
    /// parameters) in <paramref name="headFileName"/>, and config.json extended by <paramref name="describe"/>.
    /// </summary>
    internal static void SaveWithHead(BertForPreTraining encoder, string directory, string vocabPath, string headFileName,
        IReadOnlyList<Engine.Tensor> headTensors, Action<JsonObject> describe)
    {
        encoder.Save(directory, vocabPath);
        var writer = new SafeTensorsWriter();
        // On a GPU the head's tensors are downloaded first (the encoder's Save does the same for its own).
        foreach (var tensor in headTensors)
        {
            writer.Add(tensor.Name!, OnHost(tensor));
        }
        writer.AddMetadata("format", "pt");
        writer.Write(Path.Combine(directory, headFileName));

        string configPath = Path.Combine(directory, CheckpointDirectory.ConfigFileName);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        describe(config);
        string json = config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        AtomicFile.Write(configPath, stream => stream.Write(Encoding.UTF8.GetBytes(json)));
    }

    private static Engine.Tensor OnHost(Engine.Tensor tensor) => tensor.Device.IsHost ? tensor : tensor.To(Engine.Device.Cpu);

    /// <exception cref="InvalidDataException">A file is missing a field or does not match the others.</exception>
    public static BertForFineTuning Load(string directory)
    {
        var encoder = BertForPreTraining.Load(directory);
        string configPath = Path.Combine(directory, CheckpointDirectory.ConfigFileName);
        var (task, labels) = ReadTaskAndLabels(configPath);
        var model = new BertForFineTuning(encoder, task, labels, seed: 0);

        LoadHead(directory, ClassifierFileName, [model.Head.Weight, model.Head.Bias], $"{labels.Length} labels in config.json");
        return model;
    }

    /// <summary>Reads the head's <paramref name="targets"/> (named parameters) from <paramref name="headFileName"/> in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">The file is missing: the directory is not a checkpoint of this kind.</exception>
    /// <exception cref="InvalidDataException">A tensor is missing or of another shape (<paramref name="shapeNote"/> says why that shape).</exception>
    internal static void LoadHead(string directory, string headFileName, IReadOnlyList<Engine.Tensor> targets, string shapeNote)
    {
        string headPath = Path.Combine(directory, headFileName);
        if (!File.Exists(headPath))
        {
            throw new FileNotFoundException($"'{directory}' is not a fine-tuned checkpoint of this kind: it has no {headFileName}.", headPath);
        }
        using var file = SafeTensorsFile.Open(headPath);
        foreach (var target in targets)
        {
            string name = target.Name!;
            if (!file.Contains(name) || !file.Entry(name).ShapeArray().SequenceEqual(target.ShapeArray()))
            {
                throw new InvalidDataException($"{headPath}: '{name}' is missing or not of shape {Engine.Tensor.FormatShape(target.ShapeArray())} ({shapeNote}).");
            }
            file.ReadFloatsInto(name, target.Span);
        }
    }

    private static (FineTuningTask Task, string[] Labels) ReadTaskAndLabels(string configPath)
    {
        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{configPath}: not a JSON object ({e.Message}).");
        }
        if (config[TaskKey]?.GetValueKind() != JsonValueKind.String || !Enum.TryParse<FineTuningTask>(config[TaskKey]!.GetValue<string>(), out var task))
        {
            throw new InvalidDataException($"{configPath}: '{TaskKey}' must name a fine-tuning task ({string.Join(", ", Enum.GetNames<FineTuningTask>())}).");
        }
        if (config["id2label"] is not JsonObject idToLabel || idToLabel.Count == 0)
        {
            throw new InvalidDataException($"{configPath}: 'id2label' must be a non-empty object.");
        }
        var labels = new string[idToLabel.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            var label = idToLabel[i.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            if (label?.GetValueKind() != JsonValueKind.String)
            {
                throw new InvalidDataException($"{configPath}: 'id2label' must map \"0\" … \"{labels.Length - 1}\" to label names; \"{i}\" is missing.");
            }
            labels[i] = label.GetValue<string>();
        }
        return (task, labels);
    }
}

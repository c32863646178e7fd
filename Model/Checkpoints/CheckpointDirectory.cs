using MiniBioBert.Engine;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// A checkpoint: a directory Hugging Face loads with <c>BertForPreTraining.from_pretrained(dir)</c>, holding
/// <c>model.safetensors</c> (float32, Hugging Face parameter names, tied decoder weights omitted),
/// <c>config.json</c> and <c>vocab.txt</c>.
/// <para>
/// Saving is atomic at the directory level: everything is written into <c>dir.tmp-XXXXXXXX</c>; an existing
/// <c>dir</c> is renamed to <c>dir.old-XXXXXXXX</c>; the new directory is renamed to <c>dir</c>; then the old one
/// (and leftovers of earlier crashed saves) is deleted. A process killed at any point leaves a loadable checkpoint:
/// before the first rename <c>dir</c> is the old one; between the two renames <c>dir</c> is missing and loading
/// falls back to <c>dir.old-*</c> (the old checkpoint); afterwards <c>dir</c> is the new one. Leftover
/// <c>dir.tmp-*</c> directories are ignored when loading. Only one process may save to a directory at a time.
/// </para>
/// </summary>
public static class CheckpointDirectory
{
    public const string WeightsFileName = "model.safetensors";
    public const string ConfigFileName = "config.json";
    public const string VocabFileName = "vocab.txt";

    /// <summary>The safetensors metadata transformers requires (it refuses archives without a known format).</summary>
    private const string FormatKey = "format";
    private const string PyTorchFormat = "pt";

    /// <summary>
    /// Saves a checkpoint to <paramref name="directory"/>, replacing any existing one atomically.
    /// <paramref name="parameters"/> must hold exactly the tensors of <see cref="BertParameterNames.For"/> with
    /// their shapes, in any order (they are written in the given order). Tied copies
    /// (<see cref="BertParameterNames.Ties"/>) may be included; they are checked equal to their ties and not written.
    /// <paramref name="metadata"/> goes into the safetensors header next to <c>"format": "pt"</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The config is invalid, or the parameters do not match it.</exception>
    /// <exception cref="FileNotFoundException">The vocabulary file does not exist.</exception>
    public static void Save(string directory, BertConfig config, IReadOnlyList<(string Name, Tensor Value)> parameters,
        string vocabPath, IReadOnlyDictionary<string, string>? metadata = null)
    {
        config.Validate();
        var writer = WeightsWriter(config, parameters, metadata);
        CheckVocabulary(vocabPath, config);
        AtomicDirectory.Replace(directory, temporary =>
        {
            writer.Write(Path.Combine(temporary, WeightsFileName));
            BertConfigJson.Write(Path.Combine(temporary, ConfigFileName), config);
            File.Copy(vocabPath, Path.Combine(temporary, VocabFileName));
        });
    }

    /// <summary>Reads the checkpoint's config.json (build the model from it, then call <see cref="LoadParameters"/>).</summary>
    /// <exception cref="InvalidDataException">config.json is malformed or describes an unsupported model.</exception>
    public static BertConfig ReadConfig(string directory) => BertConfigJson.Read(ExistingFile(AtomicDirectory.Resolve(directory), ConfigFileName));

    /// <summary>The path of the checkpoint's vocab.txt.</summary>
    public static string VocabPath(string directory) => ExistingFile(AtomicDirectory.Resolve(directory), VocabFileName);

    /// <summary>
    /// Removes what killed saves left in <paramref name="folder"/> (a folder that checkpoints and atomically written
    /// files are saved into): <c>dir.tmp-*</c>, <c>file.tmp-*</c>, and <c>dir.old-*</c> (renamed back to <c>dir</c>
    /// when <c>dir</c> is missing, since it is then the only complete copy). Complete checkpoints are never touched.
    /// </summary>
    /// <returns>The names of the removed entries.</returns>
    public static List<string> CleanLeftovers(string folder) => AtomicDirectory.CleanLeftovers(folder);

    /// <summary>
    /// Checks, before a vocabulary is paired with the model of <paramref name="modelDirectory"/>, that every id of the
    /// vocabulary at <paramref name="vocabPath"/> has a row in the model's embedding table (<paramref name="vocabSize"/>,
    /// the vocab_size of its config.json). A smaller vocabulary is allowed (its ids are a prefix of the table).
    /// </summary>
    /// <exception cref="InvalidDataException">The vocabulary is larger; the message names both files and both sizes.</exception>
    public static void CheckVocabularyFits(string vocabPath, string modelDirectory, int vocabSize)
    {
        int tokens = Tokenization.Vocabulary.Load(vocabPath).Count;
        if (tokens > vocabSize)
        {
            string config = Path.Combine(AtomicDirectory.Resolve(modelDirectory), ConfigFileName);
            throw new InvalidDataException($"The vocabulary '{vocabPath}' has {tokens} tokens, but the model's embedding table has {vocabSize} " +
                $"(vocab_size in '{config}'); ids {vocabSize}…{tokens - 1} would have no embedding. Use the vocabulary the model was trained with.");
        }
    }

    /// <summary>
    /// Copies the checkpoint's parameters into <paramref name="targets"/> (the model's tensors, by Hugging Face name)
    /// and returns the safetensors metadata. Every target must be in the file with the target's shape, and the file
    /// may hold nothing else except tied copies equal to their ties. A target named like a tied copy
    /// (e.g. <see cref="BertParameterNames.DecoderWeight"/>) receives its tie's values.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or does not match the targets.</exception>
    public static IReadOnlyDictionary<string, string> LoadParameters(string directory, IReadOnlyList<(string Name, Tensor Target)> targets)
    {
        var duplicate = targets.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Target '{duplicate.Key}' is listed twice.", nameof(targets));
        }
        var direct = targets.Where(t => !BertParameterNames.Ties.ContainsKey(t.Name))
            .Select(t => new CheckpointParameters.Target(t.Name, t.Target.ShapeArray(), t.Target.Data.AsMemory(t.Target.Offset, t.Target.Size)))
            .ToList();
        var metadata = ReadWeights(AtomicDirectory.Resolve(directory), direct, "the model");
        var byName = targets.ToDictionary(t => t.Name, t => t.Target);
        foreach (var (name, target) in targets)
        {
            if (BertParameterNames.Ties.TryGetValue(name, out string? tie))
            {
                if (!byName.TryGetValue(tie, out var source) || !source.Shape.SequenceEqual(target.Shape))
                {
                    throw new ArgumentException($"Target '{name}' is tied to '{tie}', which must also be a target of the same shape.", nameof(targets));
                }
                source.Span.CopyTo(target.Span);
            }
        }
        return metadata;
    }

    /// <summary>Reads config.json, then every parameter it implies (<see cref="BertParameterNames.For"/>) into new arrays.</summary>
    /// <exception cref="InvalidDataException">A file is malformed or the weights do not match config.json.</exception>
    public static CheckpointContents Load(string directory)
    {
        string resolved = AtomicDirectory.Resolve(directory);
        var config = BertConfigJson.Read(ExistingFile(resolved, ConfigFileName));
        var parameters = new Dictionary<string, float[]>();
        var targets = new List<CheckpointParameters.Target>();
        foreach (var (name, shape) in BertParameterNames.For(config))
        {
            var values = new float[Tensor.ShapeSize(shape)];
            parameters.Add(name, values);
            targets.Add(new CheckpointParameters.Target(name, shape, values));
        }
        var metadata = ReadWeights(resolved, targets, ConfigFileName);
        return new CheckpointContents(resolved, config, parameters, metadata, ExistingFile(resolved, VocabFileName));
    }

    private static IReadOnlyDictionary<string, string> ReadWeights(string resolved, List<CheckpointParameters.Target> targets, string shapeSource)
    {
        using var file = SafeTensorsFile.Open(ExistingFile(resolved, WeightsFileName));
        CheckpointParameters.Read(file, targets, shapeSource);
        return file.Metadata;
    }

    private static SafeTensorsWriter WeightsWriter(BertConfig config, IReadOnlyList<(string Name, Tensor Value)> parameters,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var expected = BertParameterNames.For(config).ToDictionary(p => p.Name, p => p.Shape);
        var given = new Dictionary<string, Tensor>();
        foreach (var (name, value) in parameters)
        {
            if (!given.TryAdd(name, value))
            {
                throw new ArgumentException($"Parameter '{name}' is listed twice.", nameof(parameters));
            }
        }
        var writer = new SafeTensorsWriter();
        foreach (var (name, value) in parameters)
        {
            if (BertParameterNames.Ties.TryGetValue(name, out string? tie))
            {
                if (given.TryGetValue(tie, out var tieValue) && !CheckpointParameters.BitwiseEqual(value.Span, tieValue.Span))
                {
                    throw new ArgumentException($"Parameter '{name}' differs from '{tie}'; Hugging Face ties them and would keep only '{tie}'.", nameof(parameters));
                }
                continue;
            }
            if (!expected.TryGetValue(name, out int[]? shape))
            {
                throw new ArgumentException($"'{name}' is not a BertForPreTraining parameter.", nameof(parameters));
            }
            if (!value.Shape.SequenceEqual(shape))
            {
                throw new ArgumentException($"Parameter '{name}' has shape {Tensor.FormatShape(value.Shape)}, but the config implies {Tensor.FormatShape(shape)}.", nameof(parameters));
            }
            writer.Add(name, value);
        }
        var missing = expected.Keys.Where(name => !given.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Missing parameters: {string.Join(", ", missing)}.", nameof(parameters));
        }

        writer.AddMetadata(FormatKey, PyTorchFormat);
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (key == FormatKey && value != PyTorchFormat)
            {
                throw new ArgumentException($"Metadata \"{FormatKey}\" must be \"{PyTorchFormat}\" for transformers to load the checkpoint.", nameof(metadata));
            }
            if (key != FormatKey)
            {
                writer.AddMetadata(key, value);
            }
        }
        return writer;
    }

    private static void CheckVocabulary(string vocabPath, BertConfig config)
    {
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"Vocabulary file '{vocabPath}' does not exist.", vocabPath);
        }
        int tokens = File.ReadLines(vocabPath).Count();
        if (tokens > config.VocabSize)
        {
            throw new ArgumentException($"Vocabulary file '{vocabPath}' has {tokens} tokens, more than vocab_size ({config.VocabSize}).", nameof(vocabPath));
        }
    }

    private static string ExistingFile(string directory, string fileName)
    {
        string path = Path.Combine(directory, fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Checkpoint '{directory}' has no {fileName}.", path);
    }
}

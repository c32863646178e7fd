namespace MiniBioBert.Model.Checkpoints;

/// <summary>Everything <see cref="CheckpointDirectory.Load"/> reads from a checkpoint directory.</summary>
/// <param name="Directory">The directory actually read (see <see cref="CheckpointDirectory"/> on interrupted saves).</param>
/// <param name="Config">The model shape from config.json.</param>
/// <param name="Parameters">Every parameter of <see cref="BertParameterNames.For"/>, by Hugging Face name, row-major.</param>
/// <param name="Metadata">The safetensors <c>__metadata__</c> (includes <c>"format": "pt"</c>).</param>
/// <param name="VocabPath">The checkpoint's vocab.txt.</param>
public sealed record CheckpointContents(
    string Directory,
    BertConfig Config,
    IReadOnlyDictionary<string, float[]> Parameters,
    IReadOnlyDictionary<string, string> Metadata,
    string VocabPath);

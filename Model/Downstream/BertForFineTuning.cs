using MiniBioBert.Engine;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Model.Downstream;

/// <summary>
/// A pretrained (or randomly initialised) encoder plus a <see cref="ClassifierHead"/>, like Hugging Face's
/// <c>BertForTokenClassification</c> / <c>BertForSequenceClassification</c>. The encoder is a whole
/// <see cref="BertForPreTraining"/> (its MLM and NSP heads are carried along unused, so a fine-tuned checkpoint
/// is still a valid pretraining checkpoint); the head has its own parameter buffer.
/// </summary>
public sealed class BertForFineTuning
{
    /// <summary>Wraps <paramref name="encoder"/> with a new head for <paramref name="labels"/> (head seeded by <paramref name="seed"/>).</summary>
    public BertForFineTuning(BertForPreTraining encoder, FineTuningTask task, IReadOnlyList<string> labels, int seed)
    {
        if (labels.Count == 0 || labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
        {
            throw new ArgumentException("The labels must be a non-empty list without duplicates.");
        }
        Encoder = encoder;
        Task = task;
        Labels = [.. labels];
        var config = encoder.Config;
        Head = new ClassifierHead(config.HiddenSize, labels.Count, config.HiddenDropoutProb, config.InitializerRange, seed);
    }

    public BertForPreTraining Encoder { get; }

    public ClassifierHead Head { get; }

    public FineTuningTask Task { get; }

    /// <summary>The label names; label id i is <c>Labels[i]</c>.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The encoder's parameters and then the head's, each with its Hugging Face name.</summary>
    public IReadOnlyList<ParameterBuffer> ParameterBuffers => [Encoder.Parameters, Head.Parameters];

    /// <summary>The device the encoder's and the head's parameters live on, where forward and backward run.</summary>
    public Device Device => Encoder.Device;

    /// <summary>Moves both parameter buffers, the encoder's and the head's, to <paramref name="device"/> (see <see cref="ParameterBuffer.MoveTo"/>).</summary>
    public void MoveTo(Device device)
    {
        Encoder.MoveTo(device);
        Head.Parameters.MoveTo(device);
    }

    /// <summary>
    /// Logits for a batch: [B·T, L] (one row per token) for token classification, [B, L] (one per sequence) otherwise.
    /// The arrays are [B·T] row-major; <paramref name="attentionMask"/> is 1 for real tokens, 0 for padding.
    /// </summary>
    public Tensor Logits(int[] inputIds, int[] tokenTypeIds, int[] attentionMask, int batchSize, int sequenceLength, ForwardContext context)
    {
        var sequenceOutput = Encoder.Encode(inputIds, tokenTypeIds, attentionMask, batchSize, sequenceLength, context); // [B, T, H]
        if (Task == FineTuningTask.TokenClassification)
        {
            return Head.Forward(sequenceOutput, context);                                                            // [B·T, L]
        }
        var pooled = Encoder.Pooler.Forward(sequenceOutput);                                                         // [B, H]
        return Head.Forward(pooled, context);                                                                        // [B, L]
    }

    /// <summary>
    /// The training loss of <paramref name="logits"/>: cross-entropy against class ids (−100 = ignore) for
    /// token and single-label tasks, <see cref="BinaryCrossEntropyWithLogits"/> against 0/1 targets [rows·L]
    /// for multi-label.
    /// </summary>
    public Tensor Loss(Tensor logits, int[]? classTargets, float[]? binaryTargets) => Task switch
    {
        FineTuningTask.MultiLabelClassification => BinaryCrossEntropyWithLogits.Forward(logits,
            binaryTargets ?? throw new ArgumentException("A multi-label task needs 0/1 targets.")),
        _ => Ops.CrossEntropy(logits, classTargets ?? throw new ArgumentException("A classification task needs class targets.")),
    };

    /// <summary>
    /// Writes a checkpoint directory: the encoder as a pretraining checkpoint (<see cref="CheckpointDirectory"/>),
    /// the head in <c>classifier.safetensors</c>, and the labels and task in config.json (see <see cref="FineTunedCheckpoint"/>).
    /// Parameters on a GPU are downloaded first, so the checkpoint loads anywhere.
    /// </summary>
    public void Save(string directory, string vocabPath) => FineTunedCheckpoint.Save(this, directory, vocabPath);

    /// <summary>Loads a directory written by <see cref="Save"/> (on the CPU; <see cref="MoveTo"/> moves it).</summary>
    public static BertForFineTuning Load(string directory) => FineTunedCheckpoint.Load(directory);
}

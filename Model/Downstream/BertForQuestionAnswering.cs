using System.Text.Json;
using System.Text.Json.Nodes;
using MiniBioBert.Engine;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Model.Downstream;

/// <summary>
/// Extractive question answering, like Hugging Face's <c>BertForQuestionAnswering</c>: the encoder (a whole
/// <see cref="BertForPreTraining"/>, its pretraining heads carried along unused) plus a <see cref="SpanHead"/> that
/// scores every token as the start and as the end of the answer.
/// </summary>
public sealed class BertForQuestionAnswering
{
    /// <summary>The file of the head in a checkpoint directory, beside the encoder's <c>model.safetensors</c>.</summary>
    public const string HeadFileName = "qa_outputs.safetensors";

    /// <summary>The value of <see cref="FineTunedCheckpoint.TaskKey"/> in the config.json of a question-answering checkpoint.</summary>
    public const string TaskName = "QuestionAnswering";

    /// <summary>Wraps <paramref name="encoder"/> with a new span head seeded by <paramref name="seed"/>.</summary>
    public BertForQuestionAnswering(BertForPreTraining encoder, int seed)
    {
        Encoder = encoder;
        Head = new SpanHead(encoder.Config.HiddenSize, encoder.Config.InitializerRange, seed);
    }

    public BertForPreTraining Encoder { get; }

    public SpanHead Head { get; }

    /// <summary>The encoder's parameters and then the head's, each with its Hugging Face name.</summary>
    public IReadOnlyList<ParameterBuffer> ParameterBuffers => [Encoder.Parameters, Head.Parameters];

    /// <summary>Moves both parameter buffers to <paramref name="device"/> (see <see cref="ParameterBuffer.MoveTo"/>).</summary>
    public void MoveTo(Device device)
    {
        Encoder.MoveTo(device);
        Head.Parameters.MoveTo(device);
    }

    /// <summary>
    /// Span logits [2, B, T] for a batch (start rows, then end rows; see <see cref="SpanHead.Forward"/>). The arrays are
    /// [B·T] row-major; <paramref name="answerPositions"/> is true where an answer may start or end ([CLS] and the context).
    /// </summary>
    public Tensor SpanLogits(int[] inputIds, int[] tokenTypeIds, int[] attentionMask, bool[] answerPositions, int batchSize, int sequenceLength,
        ForwardContext context)
    {
        var sequenceOutput = Encoder.Encode(inputIds, tokenTypeIds, attentionMask, batchSize, sequenceLength, context); // [B, T, H]
        return Head.Forward(sequenceOutput, answerPositions);                                                        // [2, B, T]
    }

    /// <summary>
    /// (start cross-entropy + end cross-entropy) / 2 over the batch: <paramref name="starts"/> and
    /// <paramref name="ends"/> hold each example's answer positions (0 = [CLS], for a window without the answer).
    /// </summary>
    public static Tensor Loss(Tensor spanLogits, int[] starts, int[] ends)
    {
        int batch = spanLogits.Dim(1), length = spanLogits.Dim(2);
        if (starts.Length != batch || ends.Length != batch)
        {
            throw new ArgumentException($"{starts.Length} starts and {ends.Length} ends for span logits {Tensor.FormatShape(spanLogits.Shape)}.");
        }
        // One cross-entropy over the 2·B rows [2B, T]: its mean is the mean of the start and the end losses.
        return Ops.CrossEntropy(Ops.Reshape(spanLogits, 2 * batch, length), [.. starts, .. ends]);
    }

    /// <summary>
    /// Writes a checkpoint directory: the encoder as a pretraining checkpoint, the head in <see cref="HeadFileName"/>,
    /// and config.json with <c>architectures</c> = <c>BertForQuestionAnswering</c> and <see cref="TaskName"/>.
    /// </summary>
    public void Save(string directory, string vocabPath) =>
        FineTunedCheckpoint.SaveWithHead(Encoder, directory, vocabPath, HeadFileName, [Head.Weight, Head.Bias], config =>
        {
            config["architectures"] = new JsonArray("BertForQuestionAnswering");
            config[FineTunedCheckpoint.TaskKey] = TaskName;
        });

    /// <summary>Loads a directory written by <see cref="Save"/> (on the CPU; <see cref="MoveTo"/> moves it).</summary>
    /// <exception cref="InvalidDataException">The directory holds another kind of model, or the head file does not fit.</exception>
    public static BertForQuestionAnswering Load(string directory)
    {
        var encoder = BertForPreTraining.Load(directory);
        string configPath = Path.Combine(directory, CheckpointDirectory.ConfigFileName);
        var task = JsonNode.Parse(File.ReadAllText(configPath))?[FineTunedCheckpoint.TaskKey];
        if (task?.GetValueKind() != JsonValueKind.String || task.GetValue<string>() != TaskName)
        {
            throw new InvalidDataException($"{configPath}: '{FineTunedCheckpoint.TaskKey}' is not {TaskName}; this is not a checkpoint written by 'finetune qa'.");
        }
        var model = new BertForQuestionAnswering(encoder, seed: 0);
        FineTunedCheckpoint.LoadHead(directory, HeadFileName, [model.Head.Weight, model.Head.Bias], "a span head has 2 outputs");
        return model;
    }
}

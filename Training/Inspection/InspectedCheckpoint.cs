using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Layers;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Inspection;

/// <summary>A checkpoint opened for inspection: the model with its weights and a tokenizer over its vocab.txt.</summary>
internal sealed class InspectedCheckpoint
{
    private InspectedCheckpoint(BertForPreTraining model, WordPieceTokenizer tokenizer)
    {
        Model = model;
        Tokenizer = tokenizer;
    }

    public BertForPreTraining Model { get; }

    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>
    /// Loads config.json, model.safetensors and vocab.txt from a checkpoint directory; the model runs on
    /// <paramref name="device"/> (the CPU by default; the caller keeps a device it opened until done with the model).
    /// </summary>
    /// <exception cref="IOException">The directory or one of its files is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the vocabulary is larger than the model's.</exception>
    public static InspectedCheckpoint Load(string directory, Device? device = null)
    {
        var model = BertForPreTraining.Load(directory);
        string vocabPath = CheckpointDirectory.VocabPath(directory);
        CheckpointDirectory.CheckVocabularyFits(vocabPath, directory, model.Config.VocabSize);
        var vocabulary = Vocabulary.Load(vocabPath);
        model.MoveTo(device ?? Device.Cpu);
        return new InspectedCheckpoint(model, new WordPieceTokenizer(vocabulary));
    }

    /// <summary>[CLS] A [SEP] (B [SEP]), truncated to the model's max_position_embeddings.</summary>
    public EncodedInput Encode(string textA, string? textB = null) =>
        Tokenizer.Encode(textA, textB, Model.Config.MaxPositionEmbeddings);

    /// <summary>The vocabulary's spelling of each id.</summary>
    public string[] TokenStrings(IEnumerable<int> ids) => [.. ids.Select(Tokenizer.Vocabulary.GetToken)];

    /// <summary>
    /// Runs the encoder on one sequence without recording gradients and without dropout. Returns the sequence
    /// output [1, T, H] on the model's device; when <paramref name="attentionProbabilities"/> is given, each layer adds a
    /// host copy of its probabilities [1, heads, T, T] to it.
    /// </summary>
    public Tensor RunEncoder(EncodedInput input, List<Tensor>? attentionProbabilities = null)
    {
        var context = new ForwardContext { Training = false, AttentionProbabilities = attentionProbabilities };
        using (GradMode.NoGrad())
        {
            return Model.Encode(input.InputIds, input.TokenTypeIds, input.AttentionMask, 1, input.InputIds.Length, context);
        }
    }
}

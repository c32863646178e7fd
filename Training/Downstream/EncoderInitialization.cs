using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Where fine-tuning starts: <c>random</c> (a <see cref="BertConfig"/>-default model with random weights and the
/// given vocabulary, bert-base-uncased by default) or a pretraining checkpoint directory (its weights, and its vocab.txt
/// unless a vocabulary is given). A vocabulary larger than the checkpoint's embedding table is refused here, before any work.
/// </summary>
internal static class EncoderInitialization
{
    public const string Random = "random";

    /// <summary>The encoder and the path of its vocabulary.</summary>
    /// <exception cref="FileNotFoundException">The checkpoint or vocabulary is missing.</exception>
    /// <exception cref="InvalidDataException">The vocabulary has more tokens than the checkpoint's vocab_size.</exception>
    public static (BertForPreTraining Encoder, string VocabPath) Create(string init, string? vocabPath, int seed)
    {
        if (init == Random)
        {
            string vocab = vocabPath ?? DataPaths.Vocabulary;
            int vocabSize = Vocabulary.Load(vocab).Count;
            return (new BertForPreTraining(new BertConfig { VocabSize = vocabSize }, seed), vocab);
        }
        if (!Directory.Exists(init))
        {
            throw new DirectoryNotFoundException($"--init '{init}' is neither 'random' nor a checkpoint directory.");
        }
        return (BertForPreTraining.Load(init), CheckVocabulary(init, vocabPath));
    }

    /// <summary>The vocabulary that goes with checkpoint <paramref name="init"/> (<paramref name="vocabPath"/> if given, else its vocab.txt), checked to fit its embedding table.</summary>
    public static string CheckVocabulary(string init, string? vocabPath)
    {
        string vocab = vocabPath ?? CheckpointDirectory.VocabPath(init);
        CheckpointDirectory.CheckVocabularyFits(vocab, init, CheckpointDirectory.ReadConfig(init).VocabSize);
        return vocab;
    }

    /// <summary>Checks that sequences of <paramref name="maxSequenceLength"/> fit the encoder's position embeddings.</summary>
    /// <exception cref="ArgumentException">They do not.</exception>
    public static void CheckSequenceLength(BertForPreTraining encoder, int maxSequenceLength)
    {
        if (maxSequenceLength > encoder.Config.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"max-seq {maxSequenceLength} exceeds the model's {encoder.Config.MaxPositionEmbeddings} positions.");
        }
    }
}

using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Where fine-tuning starts: <c>random</c> (a <see cref="BertConfig"/>-default model with random weights and the
/// given vocabulary, bert-base-uncased by default) or a pretraining checkpoint directory (its weights and vocab.txt).
/// </summary>
internal static class EncoderInitialization
{
    public const string Random = "random";

    /// <summary>The encoder and the path of its vocabulary.</summary>
    /// <exception cref="FileNotFoundException">The checkpoint or vocabulary is missing.</exception>
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
        return (BertForPreTraining.Load(init), CheckpointDirectory.VocabPath(init));
    }
}

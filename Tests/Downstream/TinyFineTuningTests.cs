using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

/// <summary>End to end on a tiny model and a synthetic IOB set whose entity words are distinctive.</summary>
public class TinyFineTuningTests
{
    private static readonly string[] Chemicals = ["aspirin", "heparin", "cocaine"];
    private static readonly string[] Diseases = ["fever", "asthma", "gout"];
    private static readonly string[] Fillers = ["the", "patient", "took", "had", "and", "with", "after", "severe", "low"];

    private static readonly BertConfig TinyConfig = new()
    {
        VocabSize = 5 + Chemicals.Length + Diseases.Length + Fillers.Length,
        HiddenSize = 32,
        NumHiddenLayers = 1,
        NumAttentionHeads = 2,
        IntermediateSize = 64,
        MaxPositionEmbeddings = 32,
    };

    private static List<TaggedSentence> Sentences(int count, int seed)
    {
        var random = new Random(seed);
        var sentences = new List<TaggedSentence>();
        for (int s = 0; s < count; s++)
        {
            var words = new List<string>();
            var tags = new List<string>();
            for (int w = 0; w < 6; w++)
            {
                int kind = random.Next(4);
                string[] pool = kind == 0 ? Chemicals : kind == 1 ? Diseases : Fillers;
                words.Add(pool[random.Next(pool.Length)]);
                tags.Add(kind == 0 ? "B-Chemical" : kind == 1 ? "B-Disease" : "O");
            }
            sentences.Add(new TaggedSentence([.. words], [.. tags]));
        }
        return sentences;
    }

    private static string WriteTinyCheckpoint(TemporaryDirectory directory)
    {
        string vocabPath = directory.File("vocab.txt");
        File.WriteAllLines(vocabPath, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Chemicals, .. Diseases, .. Fillers]);
        string checkpoint = Path.Combine(directory.Path, "tiny");
        new BertForPreTraining(TinyConfig, seed: 5).Save(checkpoint, vocabPath);
        return checkpoint;
    }

    [Test]
    public void DevelF1RisesFromChanceToNearPerfect()
    {
        using var directory = new TemporaryDirectory();
        string checkpoint = WriteTinyCheckpoint(directory);
        var data = new NerDataSet(Sentences(96, 1), Sentences(24, 2), Sentences(24, 3));
        var options = new FineTuningOptions { Epochs = 6, BatchSize = 8, LearningRate = 3e-3, MaxSequenceLength = 16, Seed = 1, Patience = 6 };

        // Untrained: the same model the run starts from (same seed), scored before any step.
        var untrained = new BertForFineTuning(BertForPreTraining.Load(checkpoint), FineTuningTask.TokenClassification, data.Labels(), options.Seed);
        var encoder = new NerEncoder(new WordPieceTokenizer(Vocabulary.Load(Path.Combine(checkpoint, "vocab.txt"))), untrained.Labels, 16);
        double before = ConllEvaluator.Evaluate([.. data.Devel.Select(s => s.Tags)], NerPredictor.Predict(untrained, encoder, data.Devel)).Micro.F1;

        string output = Path.Combine(directory.Path, "run");
        var result = NerFineTuning.Run(data, checkpoint, null, options, output, _ => { });

        Assert.That(before, Is.LessThan(0.5));
        Assert.That(result.Devel.Micro.F1, Is.GreaterThan(0.9));
        Assert.That(result.Test.Micro.F1, Is.GreaterThan(0.9));
        Assert.That(File.ReadLines(Path.Combine(output, "test.predictions.tsv")).First().Split('\t'), Has.Length.EqualTo(3));

        // The saved checkpoint predicts what the in-memory best model predicted.
        var reloaded = BertForFineTuning.Load(Path.Combine(output, "checkpoint"));
        Assert.That(reloaded.Labels, Is.EqualTo(untrained.Labels));
        var reloadedScores = ConllEvaluator.Evaluate([.. data.Test.Select(s => s.Tags)], NerPredictor.Predict(reloaded, encoder, data.Test));
        Assert.That(reloadedScores.Micro, Is.EqualTo(result.Test.Micro));
    }

    [Test]
    public void MultiLabelClassifierLearnsWhichTypesASentenceMentions()
    {
        using var directory = new TemporaryDirectory();
        string checkpoint = WriteTinyCheckpoint(directory);
        List<LabeledSentence> Convert(List<TaggedSentence> sentences) => [.. sentences.Select((s, i) => new LabeledSentence(
            i.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(' ', s.Words),
            [.. s.Tags.Where(t => t != "O").Select(t => t[2..]).Distinct()]))];
        var data = new ClassificationDataSet("synthetic", FineTuningTask.MultiLabelClassification, ["Chemical", "Disease"],
            Convert(Sentences(96, 4)), Convert(Sentences(32, 5)), Convert(Sentences(32, 6)));
        var options = new FineTuningOptions { Epochs = 8, BatchSize = 8, LearningRate = 3e-3, MaxSequenceLength = 16, Seed = 2, Patience = 8 };
        var (_, devel, _) = ClassificationFineTuning.Run(data, checkpoint, null, options, null, _ => { });
        Assert.That(devel.MacroF1, Is.GreaterThan(0.8));
    }
}

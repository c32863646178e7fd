using Google.Protobuf;
using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Layers;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;
using MiniBioBert.Training.Export;

namespace MiniBioBert.Tests.Export;

/// <summary>
/// Fine-tuned checkpoints exported to ONNX: a tiny NER model fine-tuned here on synthetic tags predicts the engine's
/// tags in ONNX Runtime, and a sequence classifier gives the engine's logits.
/// </summary>
public sealed class FineTunedOnnxParityTests
{
    private const double Tolerance = 1e-5;
    private static readonly string[] Entities = ["aspirin", "heparin", "fever", "gout"];
    private static readonly string[] Fillers = ["the", "patient", "took", "had", "and", "with"];
    private static readonly BertConfig TinyConfig = new()
    {
        VocabSize = 5 + Entities.Length + Fillers.Length,
        HiddenSize = 32,
        NumHiddenLayers = 2,
        NumAttentionHeads = 2,
        IntermediateSize = 64,
        MaxPositionEmbeddings = 32,
    };

    [Test]
    public void FineTunedNerModelPredictsTheEnginesTagsAndLogits()
    {
        using var directory = new TemporaryDirectory();
        string pretrained = WritePretrained(directory);
        var data = new NerDataSet(Sentences(48, 1), Sentences(12, 2), Sentences(24, 3));
        var options = new FineTuningOptions { Epochs = 2, BatchSize = 8, LearningRate = 3e-3, MaxSequenceLength = 12, Seed = 1, Patience = 2 };
        string run = Path.Combine(directory.Path, "run");
        NerFineTuning.Run(data, pretrained, null, options, run, _ => { });
        string checkpoint = Path.Combine(run, "checkpoint");

        var model = BertForFineTuning.Load(checkpoint);
        var (proto, kind) = OnnxExport.Build(checkpoint);
        using var session = new OnnxBertSession(proto.ToByteArray());
        Assert.That(kind, Is.EqualTo(nameof(FineTuningTask.TokenClassification)));

        // Logits on random padded batches, one session for every shape.
        foreach (var (batchSize, length) in new[] { (1, 4), (3, 9), (5, 12) })
        {
            var batch = RandomBatch.Create(batchSize, length, TinyConfig.VocabSize, seed: length);
            float[] engine = model.Logits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batchSize, length, ForwardContext.Evaluation).ToArray();
            float[] onnx = session.Run(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batchSize, length)[FineTunedOnnxExporter.Logits];
            double error = RandomBatch.RelativeError(onnx, engine);
            TestContext.Out.WriteLine($"NER B={batchSize} T={length}: logits {error:E2}");
            Assert.That(error, Is.LessThan(Tolerance));
        }

        // Tags: the same windows and batches through either runtime.
        var encoder = new NerEncoder(new WordPieceTokenizer(Vocabulary.Load(Path.Combine(checkpoint, "vocab.txt"))), model.Labels, 12);
        var onnxPredictor = new OnnxNerPredictor(session, TinyConfig.PadTokenId);
        Assert.That(onnxPredictor.Labels, Is.EqualTo(model.Labels));
        Assert.That(onnxPredictor.Predict(encoder, data.Test, batchSize: 5), Is.EqualTo(NerPredictor.Predict(model, encoder, data.Test, batchSize: 5)));
    }

    /// <summary>
    /// Every BC5CDR test sentence (the shared data; ignored where it is absent): a small NER model (hidden 32, 2
    /// layers, bert-base-uncased's vocabulary) fine-tuned for one epoch on 64 training sentences, exported, tags the
    /// whole test split in ONNX Runtime exactly as the engine does. The model's quality does not matter here, only that
    /// both runtimes compute the same function on real text (padding, long sentences cut into windows, every tag).
    /// </summary>
    [Test]
    public void ExportedNerModelTagsEveryBc5cdrTestSentenceAsTheEngine()
    {
        string dataDirectory = Path.Combine(DataPaths.DataRoot, DataPaths.Bc5cdrRelative, "BC5CDR-IOB");
        string vocabPath = Path.Combine(DataPaths.DataRoot, DataPaths.VocabularyRelative);
        if (!Directory.Exists(dataDirectory) || !File.Exists(vocabPath))
        {
            Assert.Ignore($"The shared BC5CDR data is not at {dataDirectory}.");
        }
        using var directory = new TemporaryDirectory();
        string pretrained = Path.Combine(directory.Path, "pretrained");
        var config = TinyConfig with { VocabSize = Vocabulary.Load(vocabPath).Count, MaxPositionEmbeddings = 64 };
        new BertForPreTraining(config, seed: 5).Save(pretrained, vocabPath);
        var train = NerDataSet.Load(dataDirectory, trainLimit: 64, evalLimit: 16);
        var options = new FineTuningOptions { Epochs = 1, BatchSize = 16, LearningRate = 3e-3, MaxSequenceLength = 64, Seed = 1, Patience = 1 };
        string run = Path.Combine(directory.Path, "run");
        NerFineTuning.Run(train, pretrained, null, options, run, _ => { });
        string checkpoint = Path.Combine(run, "checkpoint");

        var model = BertForFineTuning.Load(checkpoint);
        using var session = new OnnxBertSession(OnnxExport.Build(checkpoint).Model.ToByteArray());
        var test = NerDataSet.Load(dataDirectory).Test;
        var encoder = new NerEncoder(new WordPieceTokenizer(Vocabulary.Load(vocabPath)), model.Labels, 64);
        var engineTags = NerPredictor.Predict(model, encoder, test, batchSize: 64);
        var onnxTags = new OnnxNerPredictor(session, config.PadTokenId).Predict(encoder, test, batchSize: 64);
        TestContext.Out.WriteLine($"{test.Count} test sentences, {engineTags.Sum(t => t.Length)} tags");
        Assert.That(test, Has.Count.GreaterThan(4000));
        Assert.That(onnxTags, Is.EqualTo(engineTags));
    }

    [TestCase(FineTuningTask.SingleLabelClassification)]
    [TestCase(FineTuningTask.MultiLabelClassification)]
    public void ClassifierGivesTheEnginesLogits(FineTuningTask task)
    {
        using var directory = new TemporaryDirectory();
        string checkpoint = Path.Combine(directory.Path, "classifier");
        new BertForFineTuning(new BertForPreTraining(TinyConfig, seed: 3), task, ["a", "b", "c"], seed: 4).Save(checkpoint, WriteVocabulary(directory));
        var model = BertForFineTuning.Load(checkpoint);
        using var session = new OnnxBertSession(OnnxExport.Build(checkpoint).Model.ToByteArray());

        foreach (var (batchSize, length) in new[] { (1, 3), (4, 10) })
        {
            var batch = RandomBatch.Create(batchSize, length, TinyConfig.VocabSize, seed: 7 * length);
            float[] engine = model.Logits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batchSize, length, ForwardContext.Evaluation).ToArray();
            float[] onnx = session.Run(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batchSize, length)[FineTunedOnnxExporter.Logits];
            double error = RandomBatch.RelativeError(onnx, engine);
            TestContext.Out.WriteLine($"{task} B={batchSize} T={length}: logits {error:E2}");
            Assert.That(error, Is.LessThan(Tolerance));
        }
    }

    private static string WriteVocabulary(TemporaryDirectory directory)
    {
        string vocabPath = directory.File("vocab.txt");
        File.WriteAllLines(vocabPath, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Entities, .. Fillers]);
        return vocabPath;
    }

    private static string WritePretrained(TemporaryDirectory directory)
    {
        string checkpoint = Path.Combine(directory.Path, "pretrained");
        new BertForPreTraining(TinyConfig, seed: 5).Save(checkpoint, WriteVocabulary(directory));
        return checkpoint;
    }

    /// <summary>Sentences of 3 to 8 words; the first two entity words are chemicals, the others diseases.</summary>
    private static List<TaggedSentence> Sentences(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var words = Enumerable.Range(0, random.Next(3, 9))
                .Select(_ => random.Next(3) == 0 ? Entities[random.Next(Entities.Length)] : Fillers[random.Next(Fillers.Length)]).ToArray();
            var tags = words.Select(w => Array.IndexOf(Entities, w) switch { < 0 => "O", < 2 => "B-Chemical", _ => "B-Disease" }).ToArray();
            return new TaggedSentence(words, tags);
        })];
    }
}

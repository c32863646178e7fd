using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Tests.Reliability;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

/// <summary>Extractive question answering end to end on the tiny fixture checkpoint and <see cref="SyntheticBioAsq"/> questions.</summary>
public class QaFineTuningTests
{
    private static readonly QaOptions Qa = new() { MaxQuestionLength = 4, DocStride = 3 };

    [Test]
    public void DevelMrrRisesFromChanceToNearPerfectAndTheCheckpointAnswersAlike()
    {
        using var directory = new TemporaryDirectory();
        var data = QaDataSet.Load(SyntheticBioAsq.Write(directory.File("bioasq"), train: 64, devel: 12, test: 12));
        var options = new FineTuningOptions { Epochs = 8, BatchSize = 8, LearningRate = 3e-3, MaxSequenceLength = 16, Seed = 1, Patience = 8 };

        var untrained = new BertForQuestionAnswering(BertForPreTraining.Load(Sandbox.TinyCheckpoint), options.Seed);
        var encoder = new QaFeatureEncoder(new WordPieceTokenizer(Vocabulary.Load(Sandbox.TinyVocabulary)), Qa, options.MaxSequenceLength);
        double before = BioAsqScores.Evaluate(QaFineTuning.Answer(untrained, data.Devel, encoder.Encode(data.Devel, false), Qa), data.Gold).MeanReciprocalRank;

        string output = directory.File("run");
        var result = QaFineTuning.Run(data, Sandbox.TinyCheckpoint, null, options, Qa, output, _ => { });

        Assert.That(before, Is.LessThan(0.5));
        Assert.That(result.Devel.MeanReciprocalRank, Is.GreaterThan(0.9));
        Assert.That(result.Test.StrictAccuracy, Is.GreaterThan(0.9), "the golden file's answers (with an upper-case synonym) are matched");
        Assert.That(File.ReadAllText(Path.Combine(output, "test.predictions.json")), Does.Contain("\"x0\""));

        var reloaded = BertForQuestionAnswering.Load(Path.Combine(output, "checkpoint"));
        var reloadedScores = BioAsqScores.Evaluate(QaFineTuning.Answer(reloaded, data.Test, encoder.Encode(data.Test, false), Qa), data.Gold);
        Assert.That(reloadedScores, Is.EqualTo(result.Test));
    }

    [Test]
    public void CompareWritesTheQuestionAnsweringTableInItsOwnSection()
    {
        using var sandbox = new Sandbox();
        string data = SyntheticBioAsq.Write(sandbox.PathOf("bioasq"), train: 2, devel: 1, test: 1);
        string doc = sandbox.Write("downstream.md", "# Downstream\n<!-- compare:ner:begin -->\nNER table\n<!-- compare:ner:end -->\n");
        // 'random' is a full-size encoder over the tiny vocabulary; one pair and one step keep it quick.
        var result = Cli.Run(sandbox, "compare", "--task", "qa", "--data", data, "--pretrained", Sandbox.TinyCheckpoint, "--vocab", Sandbox.TinyVocabulary,
            "--seeds", "1", "--epochs", "1", "--batch", "2", "--max-seq", "16", "--max-question", "4", "--train-limit", "1", "--eval-limit", "1",
            "--patience", "1", "--threads", "1", "--doc", doc, "--image", sandbox.PathOf("qa.png"));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        string text = File.ReadAllText(doc);
        Assert.That(text, Does.Contain("NER table"), "the NER section stays");
        Assert.That(text, Does.Contain("<!-- compare:qa:begin -->").And.Contain("<!-- compare:qa:end -->"));
        Assert.That(text, Does.Contain("| initialisation | test MRR, mean ± std | test strict accuracy, mean ± std | test lenient accuracy, mean ± std | per seed |"));
        Assert.That(result.Output, Does.Contain("pretrained: test MRR "));
        Assert.That(File.Exists(sandbox.PathOf("qa.png")));
    }

    [Test]
    public void AClassifierCheckpointIsNotAQuestionAnsweringOne()
    {
        using var directory = new TemporaryDirectory();
        string checkpoint = directory.File("tagger");
        new BertForFineTuning(BertForPreTraining.Load(Sandbox.TinyCheckpoint), FineTuningTask.TokenClassification, ["O", "B-X"], seed: 1)
            .Save(checkpoint, Sandbox.TinyVocabulary);
        var error = Assert.Throws<InvalidDataException>(() => BertForQuestionAnswering.Load(checkpoint))!;
        Assert.That(error.Message, Does.Contain("config.json").And.Contain("finetune qa"));
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Model.Checkpoints;

public class CheckpointDirectoryTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 20,
        HiddenSize = 8,
        NumHiddenLayers = 2,
        NumAttentionHeads = 2,
        IntermediateSize = 16,
        MaxPositionEmbeddings = 12,
    };

    private TemporaryDirectory _temp = null!;
    private string _vocab = null!;
    private string _checkpoint = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TemporaryDirectory();
        _vocab = _temp.File("vocab.txt");
        File.WriteAllLines(_vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Enumerable.Range(0, 15).Select(i => $"tok{i}")]);
        _checkpoint = _temp.File("step-100");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public void SaveThenLoadIsBitExact()
    {
        var parameters = RandomParameters(seed: 1);
        CheckpointDirectory.Save(_checkpoint, Tiny, parameters, _vocab, new Dictionary<string, string> { ["step"] = "100" });

        Assert.That(Directory.GetFiles(_checkpoint).Select(Path.GetFileName), Is.EquivalentTo(new[] { "model.safetensors", "config.json", "vocab.txt" }));
        Assert.That(File.ReadAllText(Path.Combine(_checkpoint, "vocab.txt")), Is.EqualTo(File.ReadAllText(_vocab)));
        var contents = CheckpointDirectory.Load(_checkpoint);
        Assert.That(contents.Config, Is.EqualTo(Tiny));
        Assert.That(contents.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["format"] = "pt", ["step"] = "100" }));
        Assert.That(contents.Parameters.Keys, Is.EqualTo(BertParameterNames.For(Tiny).Select(p => p.Name)));
        foreach (var (name, value) in parameters)
        {
            Assert.That(CheckpointParameters.BitwiseEqual(contents.Parameters[name], value.Span), Is.True, name);
        }
        using var file = SafeTensorsFile.Open(Path.Combine(_checkpoint, "model.safetensors"));
        Assert.That(file.Contains(BertParameterNames.DecoderWeight) || file.Contains(BertParameterNames.DecoderBias), Is.False, "tied copies are not written");
    }

    [Test]
    public void LoadParametersFillsTheModelsTensorsAndTiedCopies()
    {
        var saved = RandomParameters(seed: 2);
        CheckpointDirectory.Save(_checkpoint, Tiny, saved, _vocab);

        var config = CheckpointDirectory.ReadConfig(_checkpoint);
        var model = BertParameterNames.For(config).Select(p => (p.Name, Target: Tensor.Zeros(p.Shape))).ToList();
        model.Add((BertParameterNames.DecoderWeight, Tensor.Zeros(config.VocabSize, config.HiddenSize)));
        var metadata = CheckpointDirectory.LoadParameters(_checkpoint, model);

        Assert.That(metadata["format"], Is.EqualTo("pt"));
        var savedByName = saved.ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, target) in model)
        {
            string source = BertParameterNames.Ties.GetValueOrDefault(name, name);
            Assert.That(target.ToArray(), Is.EqualTo(savedByName[source].ToArray()), name);
        }
    }

    [Test]
    public void TiedCopiesAreAcceptedWhenEqualAndRefusedOtherwise()
    {
        var parameters = RandomParameters(seed: 3);
        var byName = parameters.ToDictionary(p => p.Name, p => p.Value);
        CheckpointDirectory.Save(_checkpoint, Tiny, parameters, _vocab);

        RewriteWeights(parameters, writer =>
        {
            writer.Add(BertParameterNames.DecoderWeight, byName[BertParameterNames.WordEmbeddings]);
            writer.Add(BertParameterNames.DecoderBias, byName[BertParameterNames.PredictionsBias]);
        });
        Assert.That(CheckpointDirectory.Load(_checkpoint).Parameters, Has.Count.EqualTo(parameters.Count));

        var changed = Tensor.FromValues(byName[BertParameterNames.PredictionsBias].Span, Tiny.VocabSize);
        changed[5] += 1e-6f;
        RewriteWeights(parameters, writer => writer.Add(BertParameterNames.DecoderBias, changed));
        AssertLoadRefused("'cls.predictions.decoder.bias' differs from 'cls.predictions.bias'");
    }

    [Test]
    public void MissingExtraWronglyShapedAndIntegerTensorsAreRefused()
    {
        var parameters = RandomParameters(seed: 4);
        CheckpointDirectory.Save(_checkpoint, Tiny, parameters, _vocab);
        const string pooler = "bert.pooler.dense.bias";
        var withoutPooler = parameters.Where(p => p.Name != pooler).ToList();

        RewriteWeights(withoutPooler, _ => { });
        AssertLoadRefused("missing tensors 'bert.pooler.dense.bias'");

        RewriteWeights(parameters, writer => writer.AddFloat32("cls.extra.weight", new float[] { 1 }, 1));
        AssertLoadRefused("unexpected tensors 'cls.extra.weight'");

        RewriteWeights(withoutPooler, writer => writer.AddFloat32(pooler, new float[9], 9));
        AssertLoadRefused("tensor 'bert.pooler.dense.bias' has shape [9], but config.json expects [8]");

        RewriteWeights(withoutPooler, writer => writer.AddInt32(pooler, new int[8], 8));
        AssertLoadRefused("tensor 'bert.pooler.dense.bias' holds I32; a parameter must be floating-point");
    }

    [Test]
    public void LoadParametersReportsShapesAgainstTheModel()
    {
        CheckpointDirectory.Save(_checkpoint, Tiny, RandomParameters(seed: 5), _vocab);
        var wider = Tiny with { IntermediateSize = 32 };
        var model = BertParameterNames.For(wider).Select(p => (p.Name, Tensor.Zeros(p.Shape))).ToList();
        var error = Assert.Throws<InvalidDataException>(() => CheckpointDirectory.LoadParameters(_checkpoint, model))!;
        Assert.That(error.Message, Does.Contain("tensor 'bert.encoder.layer.0.intermediate.dense.weight' has shape [16, 8], but the model expects [32, 8]"));
    }

    [Test]
    public void LegacyLayerNormNamesAreAccepted()
    {
        var parameters = RandomParameters(seed: 6);
        CheckpointDirectory.Save(_checkpoint, Tiny, parameters, _vocab);
        var legacy = parameters.Select(p => (Name: p.Name.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta"), p.Value)).ToList();
        RewriteWeights(legacy, _ => { });

        var loaded = CheckpointDirectory.Load(_checkpoint).Parameters;
        Assert.That(loaded["bert.embeddings.LayerNorm.weight"], Is.EqualTo(parameters.Single(p => p.Name == "bert.embeddings.LayerNorm.weight").Value.ToArray()));
    }

    [Test]
    public void SaveRefusesParametersThatDoNotMatchTheConfig()
    {
        var parameters = RandomParameters(seed: 7);
        Assert.That(() => CheckpointDirectory.Save(_checkpoint, Tiny, parameters.Skip(1).ToList(), _vocab),
            Throws.ArgumentException.With.Message.Contains("Missing parameters: bert.embeddings.word_embeddings.weight"));
        Assert.That(() => CheckpointDirectory.Save(_checkpoint, Tiny, [.. parameters, ("bert.extra", Tensor.Zeros(1))], _vocab),
            Throws.ArgumentException.With.Message.Contains("'bert.extra' is not a BertForPreTraining parameter"));
        Assert.That(() => CheckpointDirectory.Save(_checkpoint, Tiny with { HiddenSize = 16 }, parameters, _vocab),
            Throws.ArgumentException.With.Message.Contains("has shape [20, 8], but the config implies [20, 16]"));
        Assert.That(() => CheckpointDirectory.Save(_checkpoint, Tiny, [.. parameters, (BertParameterNames.DecoderBias, Tensor.Zeros(Tiny.VocabSize))], _vocab),
            Throws.ArgumentException.With.Message.Contains("'cls.predictions.decoder.bias' differs from 'cls.predictions.bias'"));
        Assert.That(() => CheckpointDirectory.Save(_checkpoint, Tiny, parameters, _vocab, new Dictionary<string, string> { ["format"] = "np" }),
            Throws.ArgumentException.With.Message.Contains("\"format\" must be \"pt\""));
        Assert.That(() => CheckpointDirectory.Save(_checkpoint, Tiny with { VocabSize = 10, PadTokenId = 0 }, RandomParameters(8, Tiny with { VocabSize = 10 }), _vocab),
            Throws.ArgumentException.With.Message.Contains("has 20 tokens, more than vocab_size (10)"));
        Assert.That(() => CheckpointDirectory.Save(_checkpoint, Tiny, parameters, _temp.File("absent.txt")), Throws.TypeOf<FileNotFoundException>());
        Assert.That(Directory.Exists(_checkpoint), Is.False, "a refused save leaves nothing behind");
        Assert.That(Directory.GetDirectories(_temp.Path), Is.Empty);
    }

    [Test]
    public void SavingAgainReplacesTheCheckpointAndCleansLeftovers()
    {
        CheckpointDirectory.Save(_checkpoint, Tiny, RandomParameters(seed: 9), _vocab);
        Directory.CreateDirectory(_checkpoint + ".tmp-deadbeef");
        File.WriteAllBytes(Path.Combine(_checkpoint + ".tmp-deadbeef", "model.safetensors"), [1, 2, 3]);
        Assert.That(CheckpointDirectory.Load(_checkpoint).Directory, Is.EqualTo(_checkpoint), "a crashed write's leftover is ignored");

        var newer = RandomParameters(seed: 10);
        CheckpointDirectory.Save(_checkpoint + Path.DirectorySeparatorChar, Tiny, newer, _vocab);

        Assert.That(CheckpointDirectory.Load(_checkpoint).Parameters[BertParameterNames.WordEmbeddings], Is.EqualTo(newer[0].Value.ToArray()));
        Assert.That(Directory.GetDirectories(_temp.Path), Is.EqualTo(new[] { _checkpoint }), "old copy and leftovers are deleted");
    }

    [Test]
    public void AKillBetweenTheTwoRenamesLeavesTheOldCheckpointLoadable()
    {
        var old = RandomParameters(seed: 11);
        CheckpointDirectory.Save(_checkpoint, Tiny, old, _vocab);
        // The state after "dir → dir.old-*" and before "dir.tmp-* → dir": dir is missing, the new copy may be partial.
        Directory.Move(_checkpoint, _checkpoint + ".old-0badf00d");
        Directory.CreateDirectory(_checkpoint + ".tmp-12345678");

        var contents = CheckpointDirectory.Load(_checkpoint);
        Assert.That(contents.Directory, Is.EqualTo(_checkpoint + ".old-0badf00d"));
        Assert.That(contents.Parameters[BertParameterNames.WordEmbeddings], Is.EqualTo(old[0].Value.ToArray()));
        Assert.That(CheckpointDirectory.ReadConfig(_checkpoint), Is.EqualTo(Tiny));

        CheckpointDirectory.Save(_checkpoint, Tiny, RandomParameters(seed: 12), _vocab);
        Assert.That(Directory.GetDirectories(_temp.Path), Is.EqualTo(new[] { _checkpoint }));
    }

    [Test]
    public void MissingCheckpointOrFilesAreReportedClearly()
    {
        Assert.That(() => CheckpointDirectory.Load(_checkpoint), Throws.TypeOf<DirectoryNotFoundException>().With.Message.Contains("step-100"));
        CheckpointDirectory.Save(_checkpoint, Tiny, RandomParameters(seed: 13), _vocab);
        File.Delete(Path.Combine(_checkpoint, "config.json"));
        Assert.That(() => CheckpointDirectory.ReadConfig(_checkpoint), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("has no config.json"));
    }

    private static List<(string Name, Tensor Value)> RandomParameters(int seed, BertConfig? config = null)
    {
        var random = new Random(seed);
        return [.. BertParameterNames.For(config ?? Tiny).Select(p =>
        {
            var tensor = Tensor.Zeros(p.Shape);
            for (int i = 0; i < tensor.Size; i++)
            {
                tensor.Span[i] = (float)(random.NextDouble() * 2 - 1);
            }
            return (p.Name, tensor);
        })];
    }

    /// <summary>Replaces the checkpoint's model.safetensors with the given tensors plus whatever <paramref name="extra"/> adds.</summary>
    private void RewriteWeights(IEnumerable<(string Name, Tensor Value)> parameters, Action<SafeTensorsWriter> extra)
    {
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        foreach (var (name, value) in parameters)
        {
            writer.Add(name, value);
        }
        extra(writer);
        writer.Write(Path.Combine(_checkpoint, "model.safetensors"));
    }

    private void AssertLoadRefused(string fragment)
    {
        var error = Assert.Throws<InvalidDataException>(() => CheckpointDirectory.Load(_checkpoint))!;
        Assert.That(error.Message, Does.StartWith(Path.Combine(_checkpoint, "model.safetensors")));
        Assert.That(error.Message, Does.Contain(fragment));
    }
}

using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Tests.Model;

/// <summary>
/// The whole tiny model against PyTorch (dropout off): losses, accuracies, intermediate activations and every
/// parameter gradient must match within 1e-4 normwise relative error (the Model issue's bound; float32 rounding
/// through two layers gives ≈ 1e-6).
/// </summary>
public class PyTorchModelParityTests
{
    private const double Tolerance = 1e-4;

    [TestCase(true)]
    [TestCase(false)]
    public void LossesAndEveryGradientMatch(bool sparseMlm)
    {
        var model = TinyBertFixture.LoadModel();
        var batch = TinyBertFixture.LoadBatch();
        using var expected = TestData.OpenFixture("tiny_bert_expected.safetensors");

        var output = model.Forward(batch, ForwardContext.Evaluation, sparseMlm);
        output.Loss.Backward();

        TestData.AssertClose(output.MlmLoss, expected.ReadFloats("mlm_loss"), Tolerance, "mlm_loss");
        TestData.AssertClose(output.NspLoss, expected.ReadFloats("nsp_loss"), Tolerance, "nsp_loss");
        TestData.AssertClose(output.Loss, expected.ReadFloats("loss"), Tolerance, "loss");
        var scores = output.Score();
        Assert.That(scores.MlmAccuracy, Is.EqualTo(expected.ReadFloats("mlm_accuracy")[0]).Within(1e-6));
        Assert.That(scores.NspAccuracy, Is.EqualTo(expected.ReadFloats("nsp_accuracy")[0]).Within(1e-6));
        if (sparseMlm)
        {
            TestData.AssertClose(output.MlmLogits, expected.ReadFloats("mlm_logits_masked"), Tolerance, "mlm_logits_masked");
        }
        TestData.AssertClose(output.NspLogits, expected.ReadFloats("nsp_logits"), Tolerance, "nsp_logits");

        foreach (var (name, value) in model.NamedParameters)
        {
            var reference = expected.ReadFloats("grad." + name);
            if (name.EndsWith("attention.self.key.bias", StringComparison.Ordinal))
            {
                // Mathematically zero (softmax ignores a constant added to every key): compare absolutely.
                Assert.That(value.Grad!.ToArray().Max(Math.Abs), Is.LessThan(1e-6f), name);
                continue;
            }
            TestData.AssertClose(value.Grad!, reference, Tolerance, "grad." + name);
        }
    }

    [Test]
    public void IntermediateActivationsMatch()
    {
        var model = TinyBertFixture.LoadModel();
        var batch = TinyBertFixture.LoadBatch();
        using var expected = TestData.OpenFixture("tiny_bert_expected.safetensors");
        var probabilities = new List<MiniBioBert.Engine.Tensor>();
        var context = new ForwardContext { AttentionProbabilities = probabilities };

        var sequenceOutput = model.Encode(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batch.BatchSize, batch.SequenceLength, context);
        var pooled = model.Pooler.Forward(sequenceOutput);

        TestData.AssertClose(sequenceOutput, expected.ReadFloats($"hidden_states.{model.Config.NumHiddenLayers}"), Tolerance, "last hidden state");
        TestData.AssertClose(pooled, expected.ReadFloats("pooled_output"), Tolerance, "pooled_output");
        for (int layer = 0; layer < model.Config.NumHiddenLayers; layer++)
        {
            TestData.AssertClose(probabilities[layer], expected.ReadFloats($"attention_probs.{layer}"), Tolerance, $"attention_probs.{layer}");
        }
    }

    [Test]
    public void SaveAndLoadKeepsEveryWeight()
    {
        var model = TinyBertFixture.LoadModel();
        string directory = Path.Combine(Path.GetTempPath(), "minibiobert-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(directory, Path.Combine(TinyBertFixture.CheckpointDirectory, CheckpointDirectory.VocabFileName));
            var reloaded = BertForPreTraining.Load(directory);
            Assert.That(reloaded.Parameters.Values, Is.EqualTo(model.Parameters.Values));
            Assert.That(reloaded.Config, Is.EqualTo(model.Config));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

using Google.Protobuf;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Tests.Model;
using MiniBioBert.Training.Export;

namespace MiniBioBert.Tests.Export;

/// <summary>The tiny checkpoint exported to ONNX gives the engine's MLM and NSP logits in ONNX Runtime, at several shapes.</summary>
public sealed class PretrainingOnnxParityTests
{
    private const double Tolerance = 1e-5;

    [TestCase(1, 1)]
    [TestCase(1, 7)]
    [TestCase(3, 8)]
    [TestCase(4, 13)]
    public void OnnxRuntimeMatchesTheEngine(int batchSize, int sequenceLength)
    {
        var model = TinyBertFixture.LoadModel();
        using var session = new OnnxBertSession(PretrainingOnnxExporter.Build(model).ToByteArray());
        var batch = RandomBatch.Create(batchSize, sequenceLength, model.Config.VocabSize, seed: batchSize * 100 + sequenceLength);

        var sequenceOutput = model.Encode(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batchSize, sequenceLength, ForwardContext.Evaluation);
        float[] mlm = model.MlmHead.Forward(sequenceOutput, positions: null).ToArray();            // [B·T, V]
        float[] nsp = model.NspHead.Forward(model.Pooler.Forward(sequenceOutput)).ToArray();       // [B, 2]
        var onnx = session.Run(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batchSize, sequenceLength);

        double mlmError = RandomBatch.RelativeError(onnx[PretrainingOnnxExporter.PredictionLogits], mlm);
        double nspError = RandomBatch.RelativeError(onnx[PretrainingOnnxExporter.SeqRelationshipLogits], nsp);
        TestContext.Out.WriteLine($"B={batchSize} T={sequenceLength}: prediction_logits {mlmError:E2}, seq_relationship_logits {nspError:E2}");
        Assert.Multiple(() =>
        {
            Assert.That(mlmError, Is.LessThan(Tolerance));
            Assert.That(nspError, Is.LessThan(Tolerance));
        });
    }

    [Test]
    public void TheGraphDeclaresHuggingFaceNamesDynamicAxesAndOpset17()
    {
        var proto = PretrainingOnnxExporter.Build(TinyBertFixture.LoadModel());

        Assert.That(proto.OpsetImport.Single().Version, Is.GreaterThanOrEqualTo(17));
        Assert.That(proto.Graph.Input.Select(i => i.Name), Is.EqualTo(new[] { "input_ids", "attention_mask", "token_type_ids" }));
        Assert.That(proto.Graph.Output.Select(o => o.Name), Is.EqualTo(new[] { "prediction_logits", "seq_relationship_logits" }));
        Assert.That(proto.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimParam), Is.EqualTo(new[] { "batch", "sequence" }));
        Assert.That(proto.Graph.Initializer.Select(i => i.Name), Does.Contain("bert.embeddings.word_embeddings.weight"));
    }
}

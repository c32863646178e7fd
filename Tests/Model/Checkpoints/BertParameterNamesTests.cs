using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Model.Checkpoints;

public class BertParameterNamesTests
{
    [Test]
    public void BertBaseHasHuggingFacesParameterCount()
    {
        var bertBase = new BertConfig { HiddenSize = 768, NumHiddenLayers = 12, NumAttentionHeads = 12, IntermediateSize = 3072 };
        var parameters = BertParameterNames.For(bertBase);
        // BertForPreTraining("bert-base-uncased") has 110,106,428 parameters, counting the tied decoder once.
        Assert.That(parameters.Sum(p => (long)Tensor.ShapeSize(p.Shape)), Is.EqualTo(110_106_428));
        Assert.That(parameters, Has.Count.EqualTo(5 + 12 * 16 + 2 + 1 + 4 + 2));
    }

    [Test]
    public void NamesFollowHuggingFacesOrder()
    {
        var names = BertParameterNames.For(new BertConfig { NumHiddenLayers = 1 }).Select(p => p.Name).ToList();
        Assert.That(names.Take(7), Is.EqualTo(new[]
        {
            "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
            "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
            "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.query.bias",
        }));
        Assert.That(names.Skip(names.Count - 9), Is.EqualTo(new[]
        {
            "bert.pooler.dense.weight", "bert.pooler.dense.bias", "cls.predictions.bias",
            "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
            "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias",
            "cls.seq_relationship.weight", "cls.seq_relationship.bias",
        }));
    }

    [Test]
    public void LinearWeightsAreOutByIn()
    {
        var shapes = BertParameterNames.For(new BertConfig()).ToDictionary(p => p.Name, p => p.Shape);
        Assert.That(shapes["bert.encoder.layer.3.intermediate.dense.weight"], Is.EqualTo(new[] { 1024, 256 }));
        Assert.That(shapes["bert.encoder.layer.3.output.dense.weight"], Is.EqualTo(new[] { 256, 1024 }));
        Assert.That(shapes["cls.seq_relationship.weight"], Is.EqualTo(new[] { 2, 256 }));
        Assert.That(shapes["cls.predictions.bias"], Is.EqualTo(new[] { 30522 }));
    }
}

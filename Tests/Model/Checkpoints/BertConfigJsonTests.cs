using System.Text.Json;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Model.Checkpoints;

public class BertConfigJsonTests
{
    private static readonly BertConfig Custom = new()
    {
        VocabSize = 28895,
        HiddenSize = 384,
        NumHiddenLayers = 6,
        NumAttentionHeads = 6,
        IntermediateSize = 1536,
        MaxPositionEmbeddings = 128,
        TypeVocabSize = 2,
        LayerNormEps = 1e-5f,
        HiddenDropoutProb = 0f,
        AttentionProbsDropoutProb = 0.05f,
        InitializerRange = 0.03f,
        PadTokenId = 3,
    };

    [Test]
    public void RoundTripsThroughAFile()
    {
        using var temp = new TemporaryDirectory();
        string path = temp.File("config.json");
        BertConfigJson.Write(path, Custom);
        Assert.That(BertConfigJson.Read(path), Is.EqualTo(Custom));
        BertConfigJson.Write(path, new BertConfig());
        Assert.That(BertConfigJson.Read(path), Is.EqualTo(new BertConfig()));
    }

    [Test]
    public void WritesTheHuggingFaceKeys()
    {
        using var document = JsonDocument.Parse(BertConfigJson.ToJson(Custom));
        var root = document.RootElement;
        Assert.That(root.GetProperty("architectures")[0].GetString(), Is.EqualTo("BertForPreTraining"));
        Assert.That(root.GetProperty("model_type").GetString(), Is.EqualTo("bert"));
        Assert.That(root.GetProperty("hidden_act").GetString(), Is.EqualTo("gelu"));
        Assert.That(root.GetProperty("position_embedding_type").GetString(), Is.EqualTo("absolute"));
        Assert.That(root.GetProperty("vocab_size").GetInt32(), Is.EqualTo(28895));
        Assert.That(root.GetProperty("num_hidden_layers").GetInt32(), Is.EqualTo(6));
        Assert.That(root.GetProperty("pad_token_id").GetInt32(), Is.EqualTo(3));
        // Floats are written in their shortest round-trip form, so Python reads 0.05, not 0.05000000074505806.
        Assert.That(root.GetProperty("attention_probs_dropout_prob").GetRawText(), Is.EqualTo("0.05"));
        Assert.That(root.GetProperty("layer_norm_eps").GetDouble(), Is.EqualTo(1e-5).Within(1e-12));
        string[] keys = [.. root.EnumerateObject().Select(p => p.Name)];
        Assert.That(keys, Is.EquivalentTo(new[]
        {
            "architectures", "model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
            "max_position_embeddings", "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id",
            "position_embedding_type",
        }));
    }

    [Test]
    public void IgnoresUnknownKeysAndDefaultsMissingOnes()
    {
        const string json = """
            {"hidden_size": 128, "num_attention_heads": 2, "transformers_version": "4.44.0", "torch_dtype": "float32",
             "gradient_checkpointing": false, "pad_token_id": null, "classifier_dropout": null}
            """;
        var config = BertConfigJson.Parse(json, "config.json");
        Assert.That(config, Is.EqualTo(new BertConfig { HiddenSize = 128, NumAttentionHeads = 2 }));
    }

    [TestCase("{\"hidden_size\": \"256\"}", "\"hidden_size\" must be an integer")]
    [TestCase("{\"hidden_size\": 256.5}", "\"hidden_size\" must be an integer")]
    [TestCase("{\"vocab_size\": 1e12}", "\"vocab_size\" must be an integer")]
    [TestCase("{\"layer_norm_eps\": \"1e-12\"}", "\"layer_norm_eps\" must be a number")]
    [TestCase("{\"hidden_size\": 0}", "hidden_size must be positive")]
    [TestCase("{\"num_attention_heads\": 3}", "hidden_size (256) must be divisible by num_attention_heads (3)")]
    [TestCase("{\"hidden_dropout_prob\": 1.5}", "hidden_dropout_prob must be in [0, 1)")]
    [TestCase("{\"layer_norm_eps\": -1}", "layer_norm_eps must be a positive number")]
    [TestCase("{\"pad_token_id\": 40000}", "pad_token_id (40000) must be a token id below vocab_size")]
    [TestCase("{\"hidden_act\": \"relu\"}", "\"hidden_act\" is \"relu\"; MiniBioBert supports only \"gelu\"")]
    [TestCase("{\"hidden_act\": \"gelu_new\"}", "erf GELU")]
    [TestCase("{\"hidden_act\": 1}", "\"hidden_act\" must be a string")]
    [TestCase("{\"position_embedding_type\": \"relative_key\"}", "supports only \"absolute\"")]
    [TestCase("{\"model_type\": \"roberta\"}", "\"model_type\" is \"roberta\"")]
    [TestCase("[256]", "must hold a JSON object")]
    [TestCase("{\"hidden_size\": 256,}", "not valid JSON")]
    public void RefusesBadValuesNamingFileAndField(string json, string fragment)
    {
        using var temp = new TemporaryDirectory();
        string path = temp.File("config.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<InvalidDataException>(() => BertConfigJson.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path));
        Assert.That(error.Message, Does.Contain(fragment));
    }
}

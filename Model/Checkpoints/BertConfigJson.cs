using MiniBioBert.Engine.IO;
using System.Text.Json;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// Converts <see cref="BertConfig"/> to and from Hugging Face's <c>config.json</c> for <c>BertForPreTraining</c>.
/// Reading ignores unknown keys, gives missing (or null) keys the <see cref="BertConfig"/> defaults, and refuses
/// wrong types, impossible values and features MiniBioBert does not implement (any <c>hidden_act</c> but "gelu",
/// any <c>position_embedding_type</c> but "absolute").
/// </summary>
public static class BertConfigJson
{
    /// <summary>The activation MiniBioBert implements: the exact (erf) GELU, which Hugging Face calls "gelu".</summary>
    public const string SupportedActivation = "gelu";

    /// <summary>The position embedding MiniBioBert implements: one learned vector per position.</summary>
    public const string SupportedPositionEmbedding = "absolute";

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, BertConfig config) =>
        AtomicFile.Write(path, stream => WriteTo(stream, config));

    /// <summary>The config.json text for <paramref name="config"/>.</summary>
    public static string ToJson(BertConfig config)
    {
        using var stream = new MemoryStream();
        WriteTo(stream, config);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a config.json file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or holds a bad or unsupported value.</exception>
    public static BertConfig Read(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses config.json text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not valid JSON or holds a bad or unsupported value.</exception>
    public static BertConfig Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: must hold a JSON object, not {root.ValueKind}.");
            }
            RequireString(root, "model_type", "bert", "", source);
            RequireString(root, "hidden_act", SupportedActivation, " (the exact erf GELU; tanh approximations and other activations are not implemented)", source);
            RequireString(root, "position_embedding_type", SupportedPositionEmbedding, " (learned absolute positions)", source);
            var defaults = new BertConfig();
            var config = new BertConfig
            {
                VocabSize = Int(root, "vocab_size", defaults.VocabSize, source),
                HiddenSize = Int(root, "hidden_size", defaults.HiddenSize, source),
                NumHiddenLayers = Int(root, "num_hidden_layers", defaults.NumHiddenLayers, source),
                NumAttentionHeads = Int(root, "num_attention_heads", defaults.NumAttentionHeads, source),
                IntermediateSize = Int(root, "intermediate_size", defaults.IntermediateSize, source),
                MaxPositionEmbeddings = Int(root, "max_position_embeddings", defaults.MaxPositionEmbeddings, source),
                TypeVocabSize = Int(root, "type_vocab_size", defaults.TypeVocabSize, source),
                LayerNormEps = Float(root, "layer_norm_eps", defaults.LayerNormEps, source),
                HiddenDropoutProb = Float(root, "hidden_dropout_prob", defaults.HiddenDropoutProb, source),
                AttentionProbsDropoutProb = Float(root, "attention_probs_dropout_prob", defaults.AttentionProbsDropoutProb, source),
                InitializerRange = Float(root, "initializer_range", defaults.InitializerRange, source),
                PadTokenId = Int(root, "pad_token_id", defaults.PadTokenId, source),
            };
            try
            {
                config.Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{source}: {e.Message}");
            }
            return config;
        }
    }

    private static void WriteTo(Stream stream, BertConfig config)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("architectures");
        json.WriteStringValue("BertForPreTraining");
        json.WriteEndArray();
        json.WriteString("model_type", "bert");
        json.WriteNumber("vocab_size", config.VocabSize);
        json.WriteNumber("hidden_size", config.HiddenSize);
        json.WriteNumber("num_hidden_layers", config.NumHiddenLayers);
        json.WriteNumber("num_attention_heads", config.NumAttentionHeads);
        json.WriteNumber("intermediate_size", config.IntermediateSize);
        json.WriteString("hidden_act", SupportedActivation);
        json.WriteNumber("hidden_dropout_prob", config.HiddenDropoutProb);
        json.WriteNumber("attention_probs_dropout_prob", config.AttentionProbsDropoutProb);
        json.WriteNumber("max_position_embeddings", config.MaxPositionEmbeddings);
        json.WriteNumber("type_vocab_size", config.TypeVocabSize);
        json.WriteNumber("initializer_range", config.InitializerRange);
        json.WriteNumber("layer_norm_eps", config.LayerNormEps);
        json.WriteNumber("pad_token_id", config.PadTokenId);
        json.WriteString("position_embedding_type", SupportedPositionEmbedding);
        json.WriteEndObject();
    }

    private static bool TryGetValue(JsonElement root, string field, out JsonElement value) =>
        root.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;

    private static int Int(JsonElement root, string field, int fallback, string source)
    {
        if (!TryGetValue(root, field, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw new InvalidDataException($"{source}: \"{field}\" must be an integer, not {value.GetRawText()}.");
    }

    private static float Float(JsonElement root, string field, float fallback, string source)
    {
        if (!TryGetValue(root, field, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number
            ? (float)value.GetDouble()
            : throw new InvalidDataException($"{source}: \"{field}\" must be a number, not {value.GetRawText()}.");
    }

    private static void RequireString(JsonElement root, string field, string supported, string explanation, string source)
    {
        if (!TryGetValue(root, field, out var value))
        {
            return;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"{source}: \"{field}\" must be a string, not {value.GetRawText()}.");
        }
        if (value.GetString() != supported)
        {
            throw new InvalidDataException($"{source}: \"{field}\" is \"{value.GetString()}\"; MiniBioBert supports only \"{supported}\"{explanation}.");
        }
    }
}

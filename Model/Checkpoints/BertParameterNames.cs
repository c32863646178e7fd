namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// The parameter names and shapes of Hugging Face's <c>BertForPreTraining</c>, in its state-dict order.
/// Linear weights are [out, in]. The model code and the checkpoint code both use this list, so a checkpoint
/// we write is one <c>BertForPreTraining.from_pretrained</c> loads.
/// </summary>
public static class BertParameterNames
{
    /// <summary>The token embedding table [V, H]; the MLM decoder reuses it as its weight.</summary>
    public const string WordEmbeddings = "bert.embeddings.word_embeddings.weight";

    /// <summary>The MLM output bias [V]; the MLM decoder reuses it as its bias.</summary>
    public const string PredictionsBias = "cls.predictions.bias";

    /// <summary>Tied to <see cref="WordEmbeddings"/>; Hugging Face omits it from saved checkpoints.</summary>
    public const string DecoderWeight = "cls.predictions.decoder.weight";

    /// <summary>Tied to <see cref="PredictionsBias"/>; Hugging Face omits it from saved checkpoints.</summary>
    public const string DecoderBias = "cls.predictions.decoder.bias";

    /// <summary>The tied names (absent from the list <see cref="For"/> returns) and the parameter each one shares.</summary>
    public static IReadOnlyDictionary<string, string> Ties { get; } = new Dictionary<string, string>
    {
        [DecoderWeight] = WordEmbeddings,
        [DecoderBias] = PredictionsBias,
    };

    // The modules of Hugging Face's BertForPreTraining, by their state-dict prefixes; each has ".weight" (and ".bias").
    public const string PositionEmbeddings = "bert.embeddings.position_embeddings.weight";
    public const string TokenTypeEmbeddings = "bert.embeddings.token_type_embeddings.weight";
    public const string EmbeddingsLayerNorm = "bert.embeddings.LayerNorm";
    public const string Query = "attention.self.query";
    public const string Key = "attention.self.key";
    public const string Value = "attention.self.value";
    public const string AttentionOutput = "attention.output.dense";
    public const string AttentionLayerNorm = "attention.output.LayerNorm";
    public const string Intermediate = "intermediate.dense";
    public const string Output = "output.dense";
    public const string OutputLayerNorm = "output.LayerNorm";
    public const string Pooler = "bert.pooler.dense";
    public const string MlmTransform = "cls.predictions.transform.dense";
    public const string MlmTransformLayerNorm = "cls.predictions.transform.LayerNorm";
    public const string NextSentence = "cls.seq_relationship";

    /// <summary>The prefix of encoder layer <paramref name="layer"/>'s modules (<see cref="Query"/> … <see cref="OutputLayerNorm"/>).</summary>
    public static string Layer(int layer) => $"bert.encoder.layer.{layer}.";

    /// <summary>Every stored parameter of <c>BertForPreTraining</c> for <paramref name="config"/>, in Hugging Face's order.</summary>
    public static IReadOnlyList<(string Name, int[] Shape)> For(BertConfig config)
    {
        int v = config.VocabSize, h = config.HiddenSize, i = config.IntermediateSize;
        var names = new List<(string, int[])>
        {
            (WordEmbeddings, [v, h]),
            (PositionEmbeddings, [config.MaxPositionEmbeddings, h]),
            (TokenTypeEmbeddings, [config.TypeVocabSize, h]),
        };
        AddLayerNorm(names, EmbeddingsLayerNorm, h);
        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string prefix = Layer(layer);
            AddLinear(names, prefix + Query, h, h);
            AddLinear(names, prefix + Key, h, h);
            AddLinear(names, prefix + Value, h, h);
            AddLinear(names, prefix + AttentionOutput, h, h);
            AddLayerNorm(names, prefix + AttentionLayerNorm, h);
            AddLinear(names, prefix + Intermediate, h, i);
            AddLinear(names, prefix + Output, i, h);
            AddLayerNorm(names, prefix + OutputLayerNorm, h);
        }
        AddLinear(names, Pooler, h, h);
        names.Add((PredictionsBias, [v]));
        AddLinear(names, MlmTransform, h, h);
        AddLayerNorm(names, MlmTransformLayerNorm, h);
        AddLinear(names, NextSentence, h, 2);
        return names;
    }

    private static void AddLinear(List<(string, int[])> names, string prefix, int inputs, int outputs)
    {
        names.Add(($"{prefix}.weight", [outputs, inputs]));
        names.Add(($"{prefix}.bias", [outputs]));
    }

    private static void AddLayerNorm(List<(string, int[])> names, string prefix, int width)
    {
        names.Add(($"{prefix}.weight", [width]));
        names.Add(($"{prefix}.bias", [width]));
    }
}

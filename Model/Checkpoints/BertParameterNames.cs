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

    /// <summary>Every stored parameter of <c>BertForPreTraining</c> for <paramref name="config"/>, in Hugging Face's order.</summary>
    public static IReadOnlyList<(string Name, int[] Shape)> For(BertConfig config)
    {
        int v = config.VocabSize, h = config.HiddenSize, i = config.IntermediateSize;
        var names = new List<(string, int[])>
        {
            (WordEmbeddings, [v, h]),
            ("bert.embeddings.position_embeddings.weight", [config.MaxPositionEmbeddings, h]),
            ("bert.embeddings.token_type_embeddings.weight", [config.TypeVocabSize, h]),
        };
        AddLayerNorm(names, "bert.embeddings.LayerNorm", h);
        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string prefix = $"bert.encoder.layer.{layer}";
            AddLinear(names, $"{prefix}.attention.self.query", h, h);
            AddLinear(names, $"{prefix}.attention.self.key", h, h);
            AddLinear(names, $"{prefix}.attention.self.value", h, h);
            AddLinear(names, $"{prefix}.attention.output.dense", h, h);
            AddLayerNorm(names, $"{prefix}.attention.output.LayerNorm", h);
            AddLinear(names, $"{prefix}.intermediate.dense", h, i);
            AddLinear(names, $"{prefix}.output.dense", i, h);
            AddLayerNorm(names, $"{prefix}.output.LayerNorm", h);
        }
        AddLinear(names, "bert.pooler.dense", h, h);
        names.Add((PredictionsBias, [v]));
        AddLinear(names, "cls.predictions.transform.dense", h, h);
        AddLayerNorm(names, "cls.predictions.transform.LayerNorm", h);
        AddLinear(names, "cls.seq_relationship", h, 2);
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

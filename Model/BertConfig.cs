namespace MiniBioBert.Model;

/// <summary>
/// The shape of a BERT model, with the Mini-BioBERT defaults (4 layers, hidden 256, 4 heads, FFN 1024).
/// Field names follow Hugging Face's <c>BertConfig</c> so config.json maps one to one.
/// </summary>
public sealed record BertConfig
{
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 256;
    public int NumHiddenLayers { get; init; } = 4;
    public int NumAttentionHeads { get; init; } = 4;
    public int IntermediateSize { get; init; } = 1024;
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public float LayerNormEps { get; init; } = 1e-12f;
    public float HiddenDropoutProb { get; init; } = 0.1f;
    public float AttentionProbsDropoutProb { get; init; } = 0.1f;
    public float InitializerRange { get; init; } = 0.02f;
    public int PadTokenId { get; init; }

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible value.</summary>
    public void Validate()
    {
        Positive(VocabSize, "vocab_size");
        Positive(HiddenSize, "hidden_size");
        Positive(NumHiddenLayers, "num_hidden_layers");
        Positive(NumAttentionHeads, "num_attention_heads");
        Positive(IntermediateSize, "intermediate_size");
        Positive(MaxPositionEmbeddings, "max_position_embeddings");
        Positive(TypeVocabSize, "type_vocab_size");
        if (HiddenSize % NumAttentionHeads != 0)
        {
            throw new ArgumentException($"hidden_size ({HiddenSize}) must be divisible by num_attention_heads ({NumAttentionHeads}).");
        }
        Probability(HiddenDropoutProb, "hidden_dropout_prob");
        Probability(AttentionProbsDropoutProb, "attention_probs_dropout_prob");
        if (!(LayerNormEps > 0) || !float.IsFinite(LayerNormEps))
        {
            throw new ArgumentException($"layer_norm_eps must be a positive number, not {LayerNormEps}.");
        }
        if (!(InitializerRange > 0) || !float.IsFinite(InitializerRange))
        {
            throw new ArgumentException($"initializer_range must be a positive number, not {InitializerRange}.");
        }
        if (PadTokenId < 0 || PadTokenId >= VocabSize)
        {
            throw new ArgumentException($"pad_token_id ({PadTokenId}) must be a token id below vocab_size ({VocabSize}).");
        }
        double parameters = ParameterCount();
        if (parameters > Array.MaxLength)
        {
            throw new ArgumentException($"vocab_size {VocabSize}, hidden_size {HiddenSize}, num_hidden_layers {NumHiddenLayers} and " +
                $"intermediate_size {IntermediateSize} make {parameters:G3} parameters; they must fit in one array ({Array.MaxLength:N0}).");
        }
    }

    /// <summary>
    /// The number of stored parameters (the MLM decoder weight is the word embeddings), in floating point so that
    /// absurd sizes cannot overflow: V·H + P·H + T·H + 2H (embeddings) + L·(4(H² + H) + 4H + 2HI + I + H) (layers)
    /// + (H² + H) (pooler) + V + (H² + H) + 2H (MLM head) + 2H + 2 (NSP head).
    /// </summary>
    internal double ParameterCount()
    {
        double v = VocabSize, h = HiddenSize, i = IntermediateSize, layers = NumHiddenLayers;
        double embeddings = (v + MaxPositionEmbeddings + TypeVocabSize) * h + 2 * h;
        double layer = 4 * (h * h + h) + 4 * h + 2 * h * i + i + h;
        return embeddings + layers * layer + (h * h + h) + v + (h * h + h) + 2 * h + 2 * h + 2;
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, not {value}.");
        }
    }

    private static void Probability(float value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentException($"{name} must be in [0, 1), not {value}.");
        }
    }
}

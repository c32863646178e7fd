using MiniBioBert.Engine;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Model;

/// <summary>A linear layer's parameters: weight [out, in] (PyTorch's layout) and bias [out].</summary>
public readonly record struct LinearParameters(Tensor Weight, Tensor Bias);

/// <summary>A LayerNorm's scale γ (weight) and shift β (bias), both [H].</summary>
public readonly record struct LayerNormParameters(Tensor Weight, Tensor Bias);

/// <summary>bert.embeddings: the three tables and their LayerNorm.</summary>
/// <param name="Word">[V, H]</param>
/// <param name="Position">[P, H]</param>
/// <param name="TokenType">[2, H]</param>
public sealed record EmbeddingParameters(Tensor Word, Tensor Position, Tensor TokenType, LayerNormParameters LayerNorm);

/// <summary>bert.encoder.layer.{i}: attention projections [H, H], their output block, the FFN [I, H] and [H, I] and its output block.</summary>
public sealed record EncoderLayerParameters(
    LinearParameters Query, LinearParameters Key, LinearParameters Value,
    LinearParameters AttentionOutput, LayerNormParameters AttentionLayerNorm,
    LinearParameters Intermediate, LinearParameters Output, LayerNormParameters OutputLayerNorm);

/// <summary>cls.predictions: the transform [H, H], its LayerNorm, and the decoder (weight tied to the word embeddings [V, H]; bias [V]).</summary>
public sealed record MlmHeadParameters(LinearParameters Transform, LayerNormParameters LayerNorm, LinearParameters Decoder);

/// <summary>
/// Every parameter of <see cref="BertForPreTraining"/> as a typed view into the one flat <see cref="ParameterBuffer"/>,
/// as llm.c's <c>ParameterTensors</c>: a layer reads <c>parameters.Layers[2].Query.Weight</c>, not a string. The
/// Hugging Face names are looked up here once, from the one table in <see cref="BertParameterNames"/>.
/// </summary>
public sealed record BertParameters(
    EmbeddingParameters Embeddings, IReadOnlyList<EncoderLayerParameters> Layers, LinearParameters Pooler,
    MlmHeadParameters MlmHead, LinearParameters NextSentence)
{
    /// <summary>The views of <paramref name="buffer"/>, laid out by <see cref="BertParameterNames.For"/> for <paramref name="config"/>.</summary>
    public static BertParameters Over(ParameterBuffer buffer, BertConfig config)
    {
        LinearParameters Linear(string prefix) => new(buffer[prefix + ".weight"], buffer[prefix + ".bias"]);
        LayerNormParameters LayerNorm(string prefix) => new(buffer[prefix + ".weight"], buffer[prefix + ".bias"]);
        EncoderLayerParameters Layer(string prefix) => new(
            Linear(prefix + BertParameterNames.Query), Linear(prefix + BertParameterNames.Key), Linear(prefix + BertParameterNames.Value),
            Linear(prefix + BertParameterNames.AttentionOutput), LayerNorm(prefix + BertParameterNames.AttentionLayerNorm),
            Linear(prefix + BertParameterNames.Intermediate), Linear(prefix + BertParameterNames.Output),
            LayerNorm(prefix + BertParameterNames.OutputLayerNorm));

        var embeddings = new EmbeddingParameters(buffer[BertParameterNames.WordEmbeddings], buffer[BertParameterNames.PositionEmbeddings],
            buffer[BertParameterNames.TokenTypeEmbeddings], LayerNorm(BertParameterNames.EmbeddingsLayerNorm));
        var decoder = new LinearParameters(embeddings.Word, buffer[BertParameterNames.PredictionsBias]);
        return new BertParameters(
            embeddings,
            [.. Enumerable.Range(0, config.NumHiddenLayers).Select(i => Layer(BertParameterNames.Layer(i)))],
            Linear(BertParameterNames.Pooler),
            new MlmHeadParameters(Linear(BertParameterNames.MlmTransform), LayerNorm(BertParameterNames.MlmTransformLayerNorm), decoder),
            Linear(BertParameterNames.NextSentence));
    }
}

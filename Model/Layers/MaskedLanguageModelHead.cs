using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// cls.predictions: transform (dense, GELU, LayerNorm) then the decoder, whose weight is the word-embedding
/// matrix (tied) plus its own bias: logits = LayerNorm(GELU(x·Wᵀ + b)) · Eᵀ + bias.
/// Sparse path: only the masked positions are gathered and scored ([M, V] instead of [B·T, V]).
/// Dense path (positions = null): every position is scored, as Hugging Face's BertForPreTraining does.
/// </summary>
public sealed class MaskedLanguageModelHead(ParameterBuffer parameters, BertConfig config)
{
    public Tensor TransformWeight { get; } = parameters["cls.predictions.transform.dense.weight"];         // [H, H]
    public Tensor TransformBias { get; } = parameters["cls.predictions.transform.dense.bias"];             // [H]
    public Tensor LayerNormWeight { get; } = parameters["cls.predictions.transform.LayerNorm.weight"];     // [H]
    public Tensor LayerNormBias { get; } = parameters["cls.predictions.transform.LayerNorm.bias"];         // [H]
    public Tensor DecoderWeight { get; } = parameters["bert.embeddings.word_embeddings.weight"];           // [V, H], tied
    public Tensor DecoderBias { get; } = parameters["cls.predictions.bias"];                               // [V]

    /// <summary>sequenceOutput: [B, T, H]; positions: flat indices b·T + t, or null for all. Returns logits [M, V].</summary>
    public Tensor Forward(Tensor sequenceOutput, int[]? positions)
    {
        int hidden = config.HiddenSize;
        var rows = positions ?? Enumerable.Range(0, sequenceOutput.Size / hidden).ToArray();
        int count = rows.Length;

        // selected: [M, H] = sequenceOutput rows at the masked positions
        var selected = Tensor.Uninitialized(count, hidden);
        GatherKernels.GatherRows(sequenceOutput.Memory, rows, selected.Memory, hidden);

        // transformed: [M, H] = selected · Wᵀ + b;  activated = GELU(transformed)
        var transformed = Tensor.Uninitialized(count, hidden);
        LinearKernels.Forward(selected, TransformWeight, bias: null, transformed);
        var activated = Tensor.Uninitialized(count, hidden);
        BiasGeluKernels.Forward(transformed.Memory, TransformBias.Memory, activated.Memory);

        // normalized: [M, H] = LayerNorm(activated)
        var normalized = Tensor.Uninitialized(count, hidden);
        var mean = Tensor.Uninitialized(count);
        var rstd = Tensor.Uninitialized(count);
        LayerNormKernels.Forward(activated.Memory, LayerNormWeight.Memory, LayerNormBias.Memory, config.LayerNormEps, normalized.Memory, mean.Memory, rstd.Memory);

        // logits: [M, V] = normalized · Eᵀ + bias
        var logits = Tensor.Uninitialized(count, config.VocabSize);
        LinearKernels.Forward(normalized, DecoderWeight, DecoderBias, logits);

        return Gradients.Record(logits, "MaskedLanguageModelHead",
            [sequenceOutput, TransformWeight, TransformBias, LayerNormWeight, LayerNormBias, DecoderWeight, DecoderBias],
            logitsGrad => Backward(logitsGrad, sequenceOutput, rows, selected, transformed, activated, normalized, mean, rstd));
    }

    private void Backward(Tensor logitsGrad, Tensor sequenceOutput, int[] rows, Tensor selected, Tensor transformed,
        Tensor activated, Tensor normalized, Tensor mean, Tensor rstd)
    {
        int hidden = config.HiddenSize;
        // normalizedGrad: [M, H] = dLogits · E;  dE += dLogitsᵀ · normalized;  dBias += Σ dLogits
        var normalizedGrad = Tensor.Zeros(normalized.ShapeArray());
        LinearKernels.Backward(logitsGrad, normalized, DecoderWeight, normalizedGrad, Gradients.Of(DecoderWeight), Gradients.Of(DecoderBias));

        // activatedGrad through LayerNorm, transformedGrad through GELU (with the transform bias gradient)
        var activatedGrad = Tensor.Zeros(activated.ShapeArray());
        LayerNormKernels.Backward(activated.Memory, LayerNormWeight.Memory, mean.Memory, rstd.Memory, normalizedGrad.Memory,
            activatedGrad.Memory, Gradients.Of(LayerNormWeight).Memory, Gradients.Of(LayerNormBias).Memory);
        var transformedGrad = Tensor.Uninitialized(transformed.ShapeArray());
        BiasGeluKernels.Backward(transformed.Memory, activatedGrad.Memory, transformedGrad.Memory, Gradients.Of(TransformBias).Memory);

        // selectedGrad: [M, H], scattered back to the positions it was gathered from
        var selectedGrad = Tensor.Zeros(selected.ShapeArray());
        LinearKernels.Backward(transformedGrad, selected, TransformWeight, selectedGrad, Gradients.Of(TransformWeight), biasGrad: null);
        GatherKernels.ScatterAddRows(selectedGrad.Memory, rows, Gradients.Of(sequenceOutput).Memory, hidden);
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// cls.predictions: transform (dense, GELU, LayerNorm) then the decoder, whose weight is the word-embedding
/// matrix (tied) plus its own bias: logits = LayerNorm(GELU(x·Wᵀ + b)) · Eᵀ + bias.
/// Sparse path: only the masked positions are gathered and scored ([M, V] instead of [B·T, V]).
/// Dense path (positions = null): every position is scored, as Hugging Face's BertForPreTraining does.
/// </summary>
public sealed class MaskedLanguageModelHead(MlmHeadParameters parameters, BertConfig config)
{
    public Tensor TransformWeight => parameters.Transform.Weight;   // [H, H]
    public Tensor TransformBias => parameters.Transform.Bias;       // [H]
    public Tensor LayerNormWeight => parameters.LayerNorm.Weight;   // [H]
    public Tensor LayerNormBias => parameters.LayerNorm.Bias;       // [H]
    public Tensor DecoderWeight => parameters.Decoder.Weight;       // [V, H], the word embeddings (tied)
    public Tensor DecoderBias => parameters.Decoder.Bias;           // [V]

    /// <summary>sequenceOutput: [B, T, H]; positions: flat indices b·T + t, or null for all. Returns logits [M, V].</summary>
    public Tensor Forward(Tensor sequenceOutput, int[]? positions)
    {
        int hidden = config.HiddenSize;
        var rows = positions ?? Enumerable.Range(0, sequenceOutput.Size / hidden).ToArray();
        int count = rows.Length;

        // selected: [M, H] = sequenceOutput rows at the masked positions
        var device = sequenceOutput.Device;
        var selected = Tensor.Uninitialized(device, count, hidden);
        TensorKernels.GatherRows(sequenceOutput, rows, selected, hidden);

        // transformed: [M, H] = selected · Wᵀ + b;  activated = GELU(transformed)
        var transformed = Tensor.Uninitialized(device, count, hidden);
        TensorKernels.LinearForward(selected, TransformWeight, bias: null, transformed);
        var activated = Tensor.Uninitialized(device, count, hidden);
        TensorKernels.BiasGeluForward(transformed, TransformBias, activated);

        // normalized: [M, H] = LayerNorm(activated)
        var normalized = Tensor.Uninitialized(device, count, hidden);
        var mean = Tensor.Uninitialized(device, count);
        var rstd = Tensor.Uninitialized(device, count);
        TensorKernels.LayerNormForward(activated, LayerNormWeight, LayerNormBias, config.LayerNormEps, normalized, mean, rstd);

        // logits: [M, V] = normalized · Eᵀ + bias
        var logits = Tensor.Uninitialized(device, count, config.VocabSize);
        TensorKernels.LinearForward(normalized, DecoderWeight, DecoderBias, logits);

        return Gradients.Record(logits, "MaskedLanguageModelHead",
            [sequenceOutput, TransformWeight, TransformBias, LayerNormWeight, LayerNormBias, DecoderWeight, DecoderBias],
            logitsGrad => Backward(logitsGrad, sequenceOutput, rows, selected, transformed, activated, normalized, mean, rstd));
    }

    private void Backward(Tensor logitsGrad, Tensor sequenceOutput, int[] rows, Tensor selected, Tensor transformed,
        Tensor activated, Tensor normalized, Tensor mean, Tensor rstd)
    {
        int hidden = config.HiddenSize;
        // normalizedGrad: [M, H] = dLogits · E;  dE += dLogitsᵀ · normalized;  dBias += Σ dLogits
        var device = normalized.Device;
        var normalizedGrad = Tensor.Zeros(device, normalized.ShapeArray());
        TensorKernels.LinearBackward(logitsGrad, normalized, DecoderWeight, normalizedGrad, Gradients.Of(DecoderWeight), Gradients.Of(DecoderBias));

        // activatedGrad through LayerNorm, transformedGrad through GELU (with the transform bias gradient)
        var activatedGrad = Tensor.Zeros(device, activated.ShapeArray());
        TensorKernels.LayerNormBackward(activated, LayerNormWeight, mean, rstd, normalizedGrad,
            activatedGrad, Gradients.Of(LayerNormWeight), Gradients.Of(LayerNormBias));
        var transformedGrad = Tensor.Uninitialized(device, transformed.ShapeArray());
        TensorKernels.BiasGeluBackward(transformed, activated, activatedGrad, transformedGrad, Gradients.Of(TransformBias));

        // selectedGrad: [M, H], scattered back to the positions it was gathered from
        var selectedGrad = Tensor.Zeros(device, selected.ShapeArray());
        TensorKernels.LinearBackward(transformedGrad, selected, TransformWeight, selectedGrad, Gradients.Of(TransformWeight), biasGrad: null);
        TensorKernels.ScatterAddRows(selectedGrad, rows, Gradients.Of(sequenceOutput), hidden);
    }
}

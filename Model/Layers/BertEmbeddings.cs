using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// bert.embeddings: word + position + token-type embeddings, then LayerNorm and dropout.
/// output[b, t] = Dropout(LayerNorm(word[input_ids[b, t]] + position[t] + token_type[token_type_ids[b, t]])).
/// </summary>
public sealed class BertEmbeddings(EmbeddingParameters parameters, BertConfig config)
{
    public Tensor WordEmbeddings => parameters.Word;                 // [V, H]
    public Tensor PositionEmbeddings => parameters.Position;         // [P, H]
    public Tensor TokenTypeEmbeddings => parameters.TokenType;       // [2, H]
    public Tensor LayerNormWeight => parameters.LayerNorm.Weight;    // [H]
    public Tensor LayerNormBias => parameters.LayerNorm.Bias;        // [H]

    /// <summary>input ids and token type ids: [B·T] row-major; returns [B, T, H].</summary>
    public Tensor Forward(int[] inputIds, int[] tokenTypeIds, int batchSize, int sequenceLength, ForwardContext context)
    {
        int hidden = config.HiddenSize;
        int rows = batchSize * sequenceLength;
        CheckIds(inputIds, rows, config.VocabSize, "input_ids");
        CheckIds(tokenTypeIds, rows, config.TypeVocabSize, "token_type_ids");
        if (sequenceLength > config.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"Sequence length {sequenceLength} exceeds max_position_embeddings ({config.MaxPositionEmbeddings}).");
        }
        var positionIds = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            positionIds[r] = r % sequenceLength;
        }

        // sum: [B, T, H] = word[input_ids] + position[t] + token_type[token_type_ids]
        var device = WordEmbeddings.Device;
        var sum = Tensor.Uninitialized(device, batchSize, sequenceLength, hidden);
        TensorKernels.SumOfEmbeddings(WordEmbeddings, inputIds, PositionEmbeddings, positionIds, TokenTypeEmbeddings, tokenTypeIds, sum, hidden);

        // normalized: [B, T, H] = LayerNorm(sum); mean, rstd: [B·T] kept for backward
        var normalized = Tensor.Uninitialized(device, batchSize, sequenceLength, hidden);
        var mean = Tensor.Uninitialized(device, rows);
        var rstd = Tensor.Uninitialized(device, rows);
        TensorKernels.LayerNormForward(sum, LayerNormWeight, LayerNormBias, config.LayerNormEps, normalized, mean, rstd);

        // output: [B, T, H] = Dropout(normalized)
        var (output, dropoutMask) = context.Dropout(normalized, config.HiddenDropoutProb);

        return Gradients.Record(output, "BertEmbeddings", [WordEmbeddings, PositionEmbeddings, TokenTypeEmbeddings, LayerNormWeight, LayerNormBias],
            outputGrad => Backward(outputGrad, inputIds, positionIds, tokenTypeIds, sum, mean, rstd, dropoutMask));
    }

    /// <summary>The forward in reverse: dropout, LayerNorm, then scatter-add into the three tables.</summary>
    private void Backward(Tensor outputGrad, int[] inputIds, int[] positionIds, int[] tokenTypeIds,
        Tensor sum, Tensor mean, Tensor rstd, Tensor? dropoutMask)
    {
        int hidden = config.HiddenSize;
        // normalizedGrad: [B, T, H]
        var normalizedGrad = ForwardContext.DropoutBackward(outputGrad, dropoutMask);

        // sumGrad: [B, T, H]; LayerNorm's weight and bias gradients accumulate directly
        var sumGrad = Tensor.Zeros(sum.Device, sum.ShapeArray());
        TensorKernels.LayerNormBackward(sum, LayerNormWeight, mean, rstd, normalizedGrad,
            sumGrad, Gradients.Of(LayerNormWeight), Gradients.Of(LayerNormBias));

        // Each table row receives the gradient of every position that looked it up.
        TensorKernels.ScatterAddRows(sumGrad, inputIds, Gradients.Of(WordEmbeddings), hidden);
        TensorKernels.ScatterAddRows(sumGrad, positionIds, Gradients.Of(PositionEmbeddings), hidden);
        TensorKernels.ScatterAddRows(sumGrad, tokenTypeIds, Gradients.Of(TokenTypeEmbeddings), hidden);
    }

    private static void CheckIds(int[] ids, int expectedCount, int limit, string name)
    {
        if (ids.Length != expectedCount)
        {
            throw new ArgumentException($"{name} has {ids.Length} entries; expected batch × sequence = {expectedCount}.");
        }
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)limit)
            {
                throw new ArgumentOutOfRangeException(name, $"{name}[{i}] = {ids[i]} is outside [0, {limit}).");
            }
        }
    }
}

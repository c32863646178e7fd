using MiniBioBert.Engine;

namespace MiniBioBert.Training.Inspection;

/// <summary>
/// The attention probabilities of every layer and head for one input: for layer l and head h, row i of
/// <see cref="Head"/> is how query token i distributes its attention over the key tokens (each row sums to 1).
/// Layers and heads are numbered from 0, as in the parameter names (bert.encoder.layer.0…).
/// </summary>
internal sealed class AttentionMaps
{
    private readonly IReadOnlyList<Tensor> _layers; // each [1, heads, T, T]

    private AttentionMaps(IReadOnlyList<string> tokens, IReadOnlyList<Tensor> layers)
    {
        Tokens = tokens;
        _layers = layers;
    }

    /// <summary>The input's word pieces, [CLS] and [SEP] included; they label both axes.</summary>
    public IReadOnlyList<string> Tokens { get; }

    public int LayerCount => _layers.Count;

    public int HeadCount => _layers[0].Dim(1);

    /// <summary>Runs the encoder on [CLS] A [SEP] (B [SEP]) and keeps every layer's attention probabilities.</summary>
    public static AttentionMaps Compute(InspectedCheckpoint checkpoint, string textA, string? textB = null)
    {
        var input = checkpoint.Encode(textA, textB);
        var probabilities = new List<Tensor>();
        checkpoint.RunEncoder(input, probabilities);
        return new AttentionMaps(checkpoint.TokenStrings(input.InputIds), probabilities);
    }

    /// <summary>The T×T probabilities of one head: [query, key].</summary>
    public double[,] Head(int layer, int head)
    {
        if ((uint)layer >= (uint)LayerCount || (uint)head >= (uint)HeadCount)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), $"Layer {layer} head {head} does not exist: the model has {LayerCount} layers of {HeadCount} heads.");
        }
        int length = Tokens.Count;
        var matrix = new double[length, length];
        var values = _layers[layer].Span.Slice(head * length * length, length * length);
        for (int query = 0; query < length; query++)
        {
            for (int key = 0; key < length; key++)
            {
                matrix[query, key] = values[query * length + key];
            }
        }
        return matrix;
    }
}

namespace MiniBioBert.Model.Initialization;

/// <summary>
/// A starting value for BERT's learned position embeddings: the sinusoids of the original Transformer,
/// PE[p, 2i] = a·sin(p / 10000^(2i/H)) and PE[p, 2i+1] = a·cos(p / 10000^(2i/H)).
/// Each (sin, cos) pair rotates by a fixed angle from one position to the next, so "the token k places to the left"
/// is one linear map for every p: attention can learn to look at neighbours without first learning a separate
/// vector for each of the positions, as it must from random N(0, σ²) embeddings.
/// The amplitude a = σ·√2 gives the table the same standard deviation σ (initializer_range) as the random
/// initialisation, so the embedding LayerNorm sees words and positions at the same scale.
/// The embeddings are still ordinary parameters: only their starting point changes, and checkpoints stay
/// Hugging Face BERT checkpoints.
/// </summary>
public static class SinusoidalPositions
{
    /// <summary>Fills <paramref name="table"/> ([positions, width], width even) with the scaled sinusoids.</summary>
    public static void Fill(Span<float> table, int positions, int width, double standardDeviation)
    {
        if (width % 2 != 0 || table.Length != positions * width)
        {
            throw new ArgumentException($"Sinusoidal positions need an even width and a [{positions}, {width}] table, not width {width} and {table.Length} values.");
        }
        double amplitude = standardDeviation * Math.Sqrt(2);
        for (int position = 0; position < positions; position++)
        {
            for (int i = 0; i < width; i += 2)
            {
                double angle = position / Math.Pow(10000, (double)i / width);
                table[position * width + i] = (float)(amplitude * Math.Sin(angle));
                table[position * width + i + 1] = (float)(amplitude * Math.Cos(angle));
            }
        }
    }
}

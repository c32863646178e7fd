namespace MiniBioBert.Model.Initialization;

/// <summary>
/// A starting point in which the first half of every layer's attention heads already look at one neighbour: head
/// h &lt; ⌈heads/2⌉ attends from position i to position i + δ_h, with δ = −1, +1, −2, +2, … for h = 0, 1, 2, 3, ….
/// Predicting a masked word from its neighbours needs such heads; from random weights a model first spends
/// thousands of steps predicting frequent words before it finds them (docs/pretraining.md, "Local heads").
/// The other heads start as usual, attending almost evenly everywhere, free to become the content- and
/// sequence-wide heads that next-sentence prediction needs (with every head local, NSP learned more slowly).
///
/// How. The first d = head-size columns of the position table become (sin, cos) pairs whose frequencies
/// ω_k = π·(k + ½)/(d/2), k = 0 … d/2 − 1, are spread evenly over (0, π) (the other columns keep the standard
/// sinusoids of <see cref="SinusoidalPositions"/>). Head h's query reads those d columns as they are (scale c),
/// and its key reads them turned back by δ_h positions, pair k rotated by the angle −ω_k·δ_h. The position part of
/// query i · key j is then c²·a²·Σ_k cos(ω_k·(i + δ_h − j)): largest (d/2·c²·a²) at j = i + δ_h and, because the
/// frequencies fill (0, π) evenly, exactly zero at every other j less than d positions from it.
/// The same rotation turns a word's own embedding by angles spread over (0, π·|δ|), so a head does not look at
/// its own position either. The pattern is added to the usual N(0, σ²) weights, which keeps heads distinct; all
/// of it is learned from there on, and the checkpoint is an ordinary BERT checkpoint.
/// </summary>
public static class LocalAttentionHeads
{
    /// <summary>
    /// The scale c of the pattern. With c = 2 a local head of the default model gives ≈ 0.7 of its layer-0 attention
    /// to the intended neighbour at the start, random word embeddings included (measured by
    /// <c>LocalAttentionHeadsTests</c>).
    /// </summary>
    public const float Scale = 2f;

    /// <summary>How many of a layer's heads start local: the first half, rounded up (the others start as usual).</summary>
    public static int LocalHeadCount(int heads) => (heads + 1) / 2;

    /// <summary>The offset of head <paramref name="head"/>: −1, +1, −2, +2, −3, ….</summary>
    public static int Offset(int head) => (head / 2 + 1) * (head % 2 == 0 ? -1 : 1);

    /// <summary>The angle by which pair <paramref name="pair"/> of the first head-size columns turns per position.</summary>
    public static double Frequency(int pair, int headSize) => Math.PI * (pair + 0.5) / (headSize / 2);

    /// <summary>
    /// Writes the evenly spread sinusoids into the first <paramref name="headSize"/> columns of
    /// <paramref name="positionTable"/> ([positions, width]), with amplitude σ·√2 like the rest.
    /// </summary>
    public static void FillPositions(Span<float> positionTable, int positions, int width, int headSize, double standardDeviation)
    {
        CheckHeadSize(headSize, width);
        double amplitude = standardDeviation * Math.Sqrt(2);
        for (int position = 0; position < positions; position++)
        {
            for (int pair = 0; pair < headSize / 2; pair++)
            {
                double angle = position * Frequency(pair, headSize);
                positionTable[position * width + 2 * pair] = (float)(amplitude * Math.Sin(angle));
                positionTable[position * width + 2 * pair + 1] = (float)(amplitude * Math.Cos(angle));
            }
        }
    }

    /// <summary>
    /// Adds the pattern to one layer's query and key weights ([H, H], Hugging Face's [out, in] layout: head h owns
    /// output rows h·d … h·d + d − 1).
    /// </summary>
    public static void AddToQueryAndKey(Span<float> queryWeight, Span<float> keyWeight, int hidden, int heads)
    {
        int headSize = hidden / heads;
        CheckHeadSize(headSize, hidden);
        for (int head = 0; head < LocalHeadCount(heads); head++)
        {
            for (int pair = 0; pair < headSize / 2; pair++)
            {
                int sinRow = head * headSize + 2 * pair, cosRow = sinRow + 1; // output rows of this pair in head h
                int sinColumn = 2 * pair, cosColumn = sinColumn + 1;           // input columns: the pair's position sinusoids
                queryWeight[sinRow * hidden + sinColumn] += Scale;
                queryWeight[cosRow * hidden + cosColumn] += Scale;

                // key = R(−ω·δ)·(sin, cos): (sin φ, cos φ) → (sin(φ − θ), cos(φ − θ)), i.e. the position δ earlier.
                double theta = Frequency(pair, headSize) * Offset(head);
                float cos = (float)(Scale * Math.Cos(theta)), sin = (float)(Scale * Math.Sin(theta));
                keyWeight[sinRow * hidden + sinColumn] += cos;
                keyWeight[sinRow * hidden + cosColumn] -= sin;
                keyWeight[cosRow * hidden + sinColumn] += sin;
                keyWeight[cosRow * hidden + cosColumn] += cos;
            }
        }
    }

    private static void CheckHeadSize(int headSize, int width)
    {
        if (headSize % 2 != 0 || headSize > width)
        {
            throw new ArgumentException($"Local attention heads need an even head size no wider than the hidden size, not {headSize} of {width}.");
        }
    }
}

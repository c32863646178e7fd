using MiniBioBert.Model;
using MiniBioBert.Model.Initialization;

namespace MiniBioBert.Tests.Model.Initialization;

/// <summary>The sinusoidal starting value of the position embeddings.</summary>
public class SinusoidalPositionsTests
{
    private const int Positions = 512;
    private const int Width = 256;
    private const double Std = 0.02;

    private static float[] Table()
    {
        var table = new float[Positions * Width];
        SinusoidalPositions.Fill(table, Positions, Width, Std);
        return table;
    }

    [Test]
    public void EveryPairIsASineAndCosineOfTheSameAngle()
    {
        // a·sin(θ), a·cos(θ) with a = σ·√2: the pair's length is a for every position (float32 rounding: 1e-6 relative).
        var table = Table();
        double amplitude = Std * Math.Sqrt(2);
        for (int p = 0; p < Positions; p += 37)
        {
            for (int i = 0; i < Width; i += 2)
            {
                double length = Math.Sqrt(table[p * Width + i] * (double)table[p * Width + i] + table[p * Width + i + 1] * (double)table[p * Width + i + 1]);
                Assert.That(length, Is.EqualTo(amplitude).Within(1e-6 * amplitude), $"position {p}, pair {i / 2}");
            }
        }
        Assert.That(table[0], Is.Zero, "sin 0");
        Assert.That(table[1], Is.EqualTo((float)amplitude), "cos 0");
    }

    [Test]
    public void TheNextPositionIsTheSameRotationEverywhere()
    {
        // Pair i turns by ω_i = 10000^(−2i/H) from p to p + 1, whatever p: (sin, cos)(p + 1) = R(ω_i)·(sin, cos)(p).
        var table = Table();
        for (int i = 0; i < Width; i += 2)
        {
            double omega = 1 / Math.Pow(10000, (double)i / Width);
            for (int p = 0; p < Positions - 1; p += 51)
            {
                double sin = table[p * Width + i], cos = table[p * Width + i + 1];
                double nextSin = sin * Math.Cos(omega) + cos * Math.Sin(omega);
                double nextCos = cos * Math.Cos(omega) - sin * Math.Sin(omega);
                Assert.That(table[(p + 1) * Width + i], Is.EqualTo(nextSin).Within(1e-7), $"sin, position {p}, pair {i / 2}");
                Assert.That(table[(p + 1) * Width + i + 1], Is.EqualTo(nextCos).Within(1e-7), $"cos, position {p}, pair {i / 2}");
            }
        }
    }

    [Test]
    public void HasTheStandardDeviationOfTheRandomInitialisation()
    {
        // Over 512 positions the low-frequency pairs are far from a full turn, so the spread is σ only roughly:
        // measured 0.01853 for σ = 0.02 (−7.4%), hence ±10%.
        var table = Table();
        double mean = table.Average(v => (double)v);
        double std = Math.Sqrt(table.Average(v => (v - mean) * (v - mean)));
        Assert.That(std, Is.EqualTo(Std).Within(0.1 * Std));
    }

    [Test]
    public void AModelWithSinusoidalPositionsDiffersOnlyInItsPositionEmbeddings()
    {
        var config = new BertConfig { VocabSize = 40, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 24 };
        var normal = new BertForPreTraining(config, seed: 7);
        var sinusoidal = new BertForPreTraining(config, seed: 7, PositionInit.Sinusoidal);

        var expected = new float[24 * 16];
        SinusoidalPositions.Fill(expected, 24, 16, config.InitializerRange);
        Assert.That(sinusoidal.Embeddings.PositionEmbeddings.ToArray(), Is.EqualTo(expected));
        foreach (var ((name, a), (_, b)) in normal.NamedParameters.Zip(sinusoidal.NamedParameters))
        {
            if (name != "bert.embeddings.position_embeddings.weight")
            {
                Assert.That(b.ToArray(), Is.EqualTo(a.ToArray()), name);
            }
        }
    }

    [Test]
    public void RejectsAnOddWidthOrAWrongSize()
    {
        Assert.Throws<ArgumentException>(() => SinusoidalPositions.Fill(new float[10 * 5], 10, 5, Std));
        Assert.Throws<ArgumentException>(() => SinusoidalPositions.Fill(new float[10], 10, 4, Std));
    }
}

using MiniBioBert.Model;
using MiniBioBert.Model.Initialization;
using System.Numerics.Tensors;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Tests.Model.Initialization;

/// <summary>The starting point in which the first half of every layer's attention heads look at a fixed neighbour.</summary>
public class LocalAttentionHeadsTests
{
    private static readonly BertConfig Config = new() { VocabSize = 40, HiddenSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 32, MaxPositionEmbeddings = 48 };

    [Test]
    public void TheFirstHalfOfTheHeadsLookOneAndTwoPositionsLeftAndRight()
    {
        Assert.That(Enumerable.Range(0, 6).Select(LocalAttentionHeads.Offset), Is.EqualTo(new[] { -1, 1, -2, 2, -3, 3 }));
        Assert.That(new[] { 1, 2, 3, 4, 12 }.Select(LocalAttentionHeads.LocalHeadCount), Is.EqualTo(new[] { 1, 1, 2, 2, 6 }));
    }

    [Test]
    public void TheFirstHeadSizeColumnsTurnByFrequenciesSpreadOverZeroToPi()
    {
        // Pair k of the first 16 columns turns by ω_k = π·(k + ½)/8 per position; the other columns keep the
        // standard sinusoids (float32 rounding: half an ulp of 0.028 is 1.9e-9, hence 5e-9 absolute).
        var table = new float[48 * 64];
        SinusoidalPositions.Fill(table, 48, 64, 0.02);
        var standard = (float[])table.Clone();
        LocalAttentionHeads.FillPositions(table, 48, 64, headSize: 16, 0.02);
        double amplitude = 0.02 * Math.Sqrt(2);
        for (int p = 0; p < 48; p++)
        {
            for (int k = 0; k < 8; k++)
            {
                double angle = p * Math.PI * (k + 0.5) / 8;
                Assert.That(table[p * 64 + 2 * k], Is.EqualTo(amplitude * Math.Sin(angle)).Within(5e-9), $"sin, position {p}, pair {k}");
                Assert.That(table[p * 64 + 2 * k + 1], Is.EqualTo(amplitude * Math.Cos(angle)).Within(5e-9), $"cos, position {p}, pair {k}");
            }
            Assert.That(table.AsSpan(p * 64 + 16, 48).ToArray(), Is.EqualTo(standard.AsSpan(p * 64 + 16, 48).ToArray()), $"position {p}");
        }
    }

    [Test]
    public void EveryLocalHeadScoresItsNeighbourHighestFromPositionsAlone()
    {
        // score(i, j) = (W_Q·pos_i)_h · (W_K·pos_j)_h, random part included: the largest over j is j = i + δ_h for
        // every query position whose neighbour exists, in every layer and local head.
        var model = new BertForPreTraining(Config, seed: 3, PositionInit.Sinusoidal, AttentionInit.Local);
        int hidden = Config.HiddenSize, headSize = hidden / Config.NumAttentionHeads, positions = 32;
        var table = model.Embeddings.PositionEmbeddings.ToArray();
        foreach (var layer in model.Layers)
        {
            var query = Project(table, layer.SelfAttention.QueryWeight.ToArray(), positions, hidden); // [T, H]
            var key = Project(table, layer.SelfAttention.KeyWeight.ToArray(), positions, hidden);     // [T, H]
            for (int head = 0; head < LocalAttentionHeads.LocalHeadCount(Config.NumAttentionHeads); head++)
            {
                int offset = LocalAttentionHeads.Offset(head);
                for (int i = Math.Max(0, -offset); i < Math.Min(positions, positions - offset); i++)
                {
                    var scores = Enumerable.Range(0, positions).Select(j => Dot(query, key, i, j, head * headSize, headSize, hidden)).ToArray();
                    Assert.That(Array.IndexOf(scores, scores.Max()), Is.EqualTo(i + offset), $"head {head}, position {i}");
                }
            }
        }
    }

    [Test]
    public void AtTheStartLocalHeadsGiveMostOfTheirAttentionToTheNeighbourAndTheOthersSpreadIt()
    {
        // The default shape (hidden 256, 4 heads, 128 positions) with random words, through the real embeddings,
        // LayerNorm and layer-0 attention. Measured: 0.718 (δ = −1) and 0.684 (δ = +1) of a local head's attention
        // on its neighbour; the other heads' largest weight per row averages 0.009 (uniform: 1/128 = 0.0078).
        // Without the pattern a head gives its neighbour ≈ 0.008, so the bounds (> 0.6, < 0.05) fail if it breaks.
        var config = new BertConfig { VocabSize = 1000, NumHiddenLayers = 1, MaxPositionEmbeddings = 128 };
        var model = new BertForPreTraining(config, seed: 11, PositionInit.Sinusoidal, AttentionInit.Local);
        int batch = 4, length = 128, heads = config.NumAttentionHeads;
        var random = new Random(2);
        int[] inputIds = Enumerable.Range(0, batch * length).Select(_ => random.Next(1, config.VocabSize)).ToArray();
        var context = new ForwardContext { Training = false, AttentionProbabilities = [] };

        model.Encode(inputIds, new int[batch * length], Enumerable.Repeat(1, batch * length).ToArray(), batch, length, context);

        var probs = context.AttentionProbabilities![0].ToArray(); // [B, heads, T, T]
        for (int head = 0; head < heads; head++)
        {
            double onNeighbour = 0, largest = 0;
            int rows = 0;
            int offset = LocalAttentionHeads.Offset(head);
            for (int b = 0; b < batch; b++)
            {
                for (int i = Math.Max(0, -offset); i < Math.Min(length, length - offset); i++)
                {
                    var row = probs.AsSpan(((b * heads + head) * length + i) * length, length);
                    onNeighbour += row[i + offset];
                    largest += TensorPrimitives.Max(row);
                    rows++;
                }
            }
            TestContext.Out.WriteLine($"head {head}: on i{offset:+0;-0} {onNeighbour / rows:F3}, largest {largest / rows:F3}");
            if (head < LocalAttentionHeads.LocalHeadCount(heads))
            {
                Assert.That(onNeighbour / rows, Is.GreaterThan(0.6), $"local head {head}");
            }
            else
            {
                Assert.That(largest / rows, Is.LessThan(0.05), $"usual head {head}");
            }
        }
    }

    [Test]
    public void OnlyPositionEmbeddingsAndTheLocalHeadsQueriesAndKeysDifferFromTheUsualStart()
    {
        var usual = new BertForPreTraining(Config, seed: 5, PositionInit.Sinusoidal);
        var local = new BertForPreTraining(Config, seed: 5, PositionInit.Sinusoidal, AttentionInit.Local);
        int localRows = LocalAttentionHeads.LocalHeadCount(Config.NumAttentionHeads) * Config.HiddenSize / Config.NumAttentionHeads * Config.HiddenSize;
        foreach (var ((name, a), (_, b)) in usual.NamedParameters.Zip(local.NamedParameters))
        {
            if (name.EndsWith("attention.self.query.weight", StringComparison.Ordinal) || name.EndsWith("attention.self.key.weight", StringComparison.Ordinal))
            {
                Assert.That(b.ToArray().Take(localRows).SequenceEqual(a.ToArray().Take(localRows)), Is.False, $"{name}, local heads");
                Assert.That(b.ToArray().Skip(localRows), Is.EqualTo(a.ToArray().Skip(localRows)), $"{name}, the other heads");
            }
            else
            {
                bool changed = name == "bert.embeddings.position_embeddings.weight";
                Assert.That(b.ToArray().SequenceEqual(a.ToArray()), Is.EqualTo(!changed), name);
            }
        }
    }

    [Test]
    public void RejectsAnOddHeadSize()
    {
        Assert.Throws<ArgumentException>(() => LocalAttentionHeads.AddToQueryAndKey(new float[9 * 9], new float[9 * 9], hidden: 9, heads: 3));
    }

    // rows × [out, in]ᵀ: [positions, hidden]
    private static double[] Project(float[] rows, float[] weight, int positions, int hidden)
    {
        var result = new double[positions * hidden];
        for (int p = 0; p < positions; p++)
        {
            for (int o = 0; o < hidden; o++)
            {
                double sum = 0;
                for (int i = 0; i < hidden; i++)
                {
                    sum += rows[p * hidden + i] * (double)weight[o * hidden + i];
                }
                result[p * hidden + o] = sum;
            }
        }
        return result;
    }

    private static double Dot(double[] query, double[] key, int i, int j, int start, int length, int hidden)
    {
        double sum = 0;
        for (int d = start; d < start + length; d++)
        {
            sum += query[i * hidden + d] * key[j * hidden + d];
        }
        return sum;
    }
}

using MiniBioBert.Training.Optim;

namespace MiniBioBert.Tests.Training.Optim;

public class AdamWTests
{
    private static readonly AdamWOptions Options = new() { Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-6, WeightDecay = 0.01 };

    [Test]
    public void TwoStepsMatchTheTextbookFormulaInDouble()
    {
        double[] start = [1.0, -2.0, 0.5];
        double[][] gradients = [[0.1, -0.3, 2.0], [-0.05, 0.4, 1.0]];
        double[] learningRates = [0.01, 0.02];
        bool[] decay = [true, true, false];
        var optimizer = new AdamW([new(0, 2, Decay: true), new(2, 1, Decay: false)], Options);
        float[] parameters = [.. start.Select(x => (float)x)];

        double[] expected = [.. start];
        double[] m = new double[3], v = new double[3];
        for (int t = 1; t <= 2; t++)
        {
            double lr = learningRates[t - 1];
            double[] g = gradients[t - 1];
            optimizer.Step(parameters, [.. g.Select(x => (float)x)], lr);
            for (int i = 0; i < 3; i++)
            {
                expected[i] -= decay[i] ? lr * Options.WeightDecay * expected[i] : 0;
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(0.9, t));
                double vHat = v[i] / (1 - Math.Pow(0.999, t));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + Options.Epsilon);
            }
        }

        // Float32 arithmetic on values of order 1 with ~10 rounded operations: errors stay below 1e-6.
        Assert.That(optimizer.StepCount, Is.EqualTo(2));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(parameters[i], Is.EqualTo(expected[i]).Within(1e-6), $"parameter {i}");
        }
    }

    [Test]
    public void FirstStepMovesEachParameterByLearningRateWhateverTheGradientScale()
    {
        // Bias correction makes m̂ = g and v̂ = g² at t = 1, so the update is lr·g/(|g| + ε) ≈ lr·sign(g).
        var optimizer = new AdamW([new(0, 3, Decay: false)], Options with { Epsilon = 1e-12 });
        float[] parameters = [0f, 0f, 0f];
        optimizer.Step(parameters, [1e-3f, -5f, 300f], 0.1);
        // |g| ≥ 1e-3 ≫ ε, so the result is ±0.1 to float rounding (relative 1e-6).
        Assert.That(parameters, Is.EqualTo(new[] { -0.1f, 0.1f, -0.1f }).Within(1e-7));
    }

    [Test]
    public void WeightDecayOnlyTouchesDecayedSegments()
    {
        // Zero gradients give m = v = 0 and an Adam update of exactly 0: only the decay moves parameters.
        var optimizer = new AdamW([new(0, 2, Decay: true), new(2, 2, Decay: false)], Options with { WeightDecay = 0.5 });
        float[] parameters = [2f, -4f, 2f, -4f];
        optimizer.Step(parameters, new float[4], 0.1);
        Assert.That(parameters, Is.EqualTo(new[] { 2f * 0.95f, -4f * 0.95f, 2f, -4f }));
    }

    [Test]
    public void ChunkedParallelPathMatchesTheScalarFormula()
    {
        // 100 003 floats in segments that straddle chunk boundaries and leave vector tails.
        const int length = 100_003;
        var segments = new ParameterSegment[] { new(0, 40_001, true), new(40_001, 7, false), new(40_008, 59_995, true) };
        var random = new Random(1234);
        float[] parameters = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] gradients = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5))];
        double[] expected = [.. parameters.Select(x => (double)x)];

        var optimizer = new AdamW(segments, Options);
        optimizer.Step(parameters, gradients, 1e-3);

        for (int i = 0; i < length; i++)
        {
            bool decayed = i < 40_001 || i >= 40_008;
            double g = gradients[i];
            double p = expected[i] * (decayed ? 1 - 1e-3 * 0.01 : 1);
            expected[i] = p - 1e-3 * g / (Math.Abs(g) + 1e-6);
        }
        // Parameters in [-1, 1], update ≈ 1e-3: float32 rounding keeps every error below 2e-7.
        for (int i = 0; i < length; i++)
        {
            Assert.That(parameters[i], Is.EqualTo(expected[i]).Within(2e-7), $"parameter {i}");
        }
    }

    [Test]
    public void SegmentsMustTileTheBuffer()
    {
        Assert.That(() => new AdamW([new(0, 4, true), new(5, 2, true)]),
            Throws.ArgumentException.With.Message.Contains("offset 5 follows one ending at 4"));
        Assert.That(() => new AdamW([new(0, 4, true), new(3, 2, true)]), Throws.ArgumentException);
        Assert.That(() => new AdamW([new(1, 4, true)]), Throws.ArgumentException);
        Assert.That(() => new AdamW([new(0, 0, true)]), Throws.ArgumentException.With.Message.Contains("length 0"));
        Assert.That(new AdamW([new(4, 2, false), new(0, 4, true)]).ParameterCount, Is.EqualTo(6));
    }

    [Test]
    public void StepRejectsWrongBufferLengthsAndBadLearningRates()
    {
        var optimizer = new AdamW([new(0, 3, true)]);
        Assert.That(() => optimizer.Step(new float[3], new float[2], 0.1), Throws.ArgumentException.With.Message.Contains("gradients[2]"));
        Assert.That(() => optimizer.Step(new float[3], new float[3], double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(optimizer.StepCount, Is.Zero);
    }

    [Test]
    public void BertDecayRuleExcludesBiasesAndLayerNorm()
    {
        Assert.That(WeightDecayRule.AppliesTo("bert.encoder.layer.0.attention.self.query.weight"), Is.True);
        Assert.That(WeightDecayRule.AppliesTo("bert.embeddings.word_embeddings.weight"), Is.True);
        Assert.That(WeightDecayRule.AppliesTo("bert.encoder.layer.0.attention.self.query.bias"), Is.False);
        Assert.That(WeightDecayRule.AppliesTo("bert.embeddings.LayerNorm.weight"), Is.False);
        Assert.That(WeightDecayRule.AppliesTo("bert.encoder.layer.3.output.LayerNorm.bias"), Is.False);

        ParameterSegment[] segments = WeightDecayRule.Segments([("dense.weight", 0, 6), ("dense.bias", 6, 2)]);
        Assert.That(segments, Is.EqualTo(new ParameterSegment[] { new(0, 6, true), new(6, 2, false) }));
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Layers;
using MiniBioBert.Tests.Engine;

namespace MiniBioBert.Tests.Downstream;

public class BinaryCrossEntropyTests
{
    [Test]
    public void LossMatchesTheDefinitionEvenForLargeLogits()
    {
        float[] logits = [0.3f, -2f, 40f, -40f, 5f, 0f];
        float[] targets = [1, 0, 1, 1, 0, 1];
        double expected = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            // −[y·log σ(x) + (1 − y)·log(1 − σ(x))] with log σ(x) = −log(1 + e^(−x)), in double
            double logSigmoid = -Math.Log(1 + Math.Exp(-logits[i]));
            double logOneMinusSigmoid = -Math.Log(1 + Math.Exp(logits[i]));
            expected -= targets[i] * logSigmoid + (1 - targets[i]) * logOneMinusSigmoid;
        }
        expected /= logits.Length;
        var loss = BinaryCrossEntropyWithLogits.Forward(Tensor.FromValues(logits, 2, 3), targets);
        // float32 result of a double sum: relative rounding ≤ 6e-8 (half an ulp), so allow 1e-7 = 1e-5 percent.
        Assert.That(loss.Item(), Is.EqualTo(expected).Within(1e-5).Percent);
    }

    [Test]
    public void GradientIsSigmoidMinusTargetOverCount()
    {
        var logits = TestData.Random(new Random(4), 2f, 3, 4);
        logits.RequiresGrad = true;
        float[] targets = [.. Enumerable.Range(0, 12).Select(i => (float)(i % 3 == 0 ? 1 : 0))];
        BinaryCrossEntropyWithLogits.Forward(logits, targets).Backward();
        for (int i = 0; i < 12; i++)
        {
            double sigmoid = 1 / (1 + Math.Exp(-logits.Span[i]));
            Assert.That(logits.Grad!.Span[i], Is.EqualTo((sigmoid - targets[i]) / 12).Within(1e-7));
        }
    }

    [Test]
    public void ComposedWithTheHeadItMatchesFiniteDifferences()
    {
        var head = new ClassifierHead(5, 3, 0f, 0.5f, seed: 1);
        var pooled = TestData.Random(new Random(5), 1f, 4, 5);
        float[] targets = [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1];
        GradientCheck.Check(() => BinaryCrossEntropyWithLogits.Forward(head.Forward(pooled, ForwardContext.Evaluation), targets),
            [pooled, head.Weight, head.Bias]);
    }
}

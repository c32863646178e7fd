using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Layers;
using MiniBioBert.Tests.Engine;

namespace MiniBioBert.Tests.Downstream;

public class ClassifierHeadTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    private static ClassifierHead Head() => new(hiddenSize: 6, labelCount: 3, dropoutProbability: 0.25f, initializerRange: 0.5f, seed: 3);

    [Test]
    public void WithoutDropoutItMatchesOpsLinearAndCrossEntropy()
    {
        var head = Head();
        var features = TestData.Random(new Random(1), 1f, 2, 4, 6);   // [B=2, T=4, H=6]
        features.RequiresGrad = true;
        int[] targets = [0, 2, Ignored, 1, 1, Ignored, 0, 2];

        Ops.CrossEntropy(head.Forward(features, ForwardContext.Evaluation), targets).Backward();
        var handWritten = (Features: features.Grad!.ToArray(), Weight: head.Weight.Grad!.ToArray(), Bias: head.Bias.Grad!.ToArray());

        features.Grad = null;
        head.Parameters.ZeroGradients();
        var composed = Ops.Linear(Ops.Reshape(features, 8, 6), head.Weight, head.Bias);
        Ops.CrossEntropy(composed, targets).Backward();

        // Same kernels, same order of float operations: equal up to float32 rounding of the reshaped path.
        const float tolerance = 1e-6f;
        Assert.That(handWritten.Features, Is.EqualTo(features.Grad!.ToArray()).Within(tolerance));
        Assert.That(handWritten.Weight, Is.EqualTo(head.Weight.Grad!.ToArray()).Within(tolerance));
        Assert.That(handWritten.Bias, Is.EqualTo(head.Bias.Grad!.ToArray()).Within(tolerance));
    }

    [Test]
    public void BackwardThroughDropoutMatchesFiniteDifferences()
    {
        var head = Head();
        var features = TestData.Random(new Random(2), 1f, 5, 6);
        // A fresh context with the same seed each time: the same dropout mask in every evaluation.
        GradientCheck.Check(() => head.Forward(features, new ForwardContext { Training = true, DropoutSeed = 42 }),
            [features, head.Weight, head.Bias]);
    }

    [Test]
    public void DropoutIsActiveOnlyWhenTraining()
    {
        var head = Head();
        var features = TestData.Random(new Random(3), 1f, 4, 6);
        var evaluation = head.Forward(features, ForwardContext.Evaluation).ToArray();
        var training = head.Forward(features, new ForwardContext { Training = true, DropoutSeed = 7 }).ToArray();
        Assert.That(training, Is.Not.EqualTo(evaluation));
        Assert.That(head.Forward(features, ForwardContext.Evaluation).ToArray(), Is.EqualTo(evaluation));
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Tests.Training.Optim;

public class GradientClippingTests
{
    [Test]
    public void ClipsAboveTheMaximumWithPyTorchsCoefficient()
    {
        float[] gradients = [3f, 4f];
        double norm = GradientClipping.ClipByGlobalNorm(gradients, maxNorm: 1.0);
        Assert.That(norm, Is.EqualTo(5.0));
        float coefficient = (float)(1.0 / (5.0 + 1e-6));
        Assert.That(gradients, Is.EqualTo(new[] { 3f * coefficient, 4f * coefficient }));
    }

    [Test]
    public void LeavesGradientsAloneBelowTheMaximum()
    {
        float[] gradients = [3f, -4f, 0.1f];
        float[] before = [.. gradients];
        double norm = GradientClipping.ClipByGlobalNorm(gradients, maxNorm: 10.0);
        Assert.That(norm, Is.EqualTo(Math.Sqrt(25 + (double)0.1f * 0.1f)).Within(1e-12));
        Assert.That(gradients, Is.EqualTo(before));
    }

    [Test]
    public void NonFiniteGradientGivesNonFiniteNormAndNoScaling()
    {
        float[] gradients = [1f, float.NaN, 100f];
        Assert.That(double.IsFinite(GradientClipping.ClipByGlobalNorm(gradients, maxNorm: 1.0)), Is.False);
        Assert.That(gradients[2], Is.EqualTo(100f));
        Assert.That(double.IsFinite(GradientClipping.GlobalNorm([float.PositiveInfinity, 0f])), Is.False);
    }

    [Test]
    public void LargeBufferNormMatchesDoubleSum()
    {
        var random = new Random(7);
        float[] gradients = [.. Enumerable.Range(0, 200_001).Select(_ => (float)(random.NextDouble() - 0.5))];
        double expected = Math.Sqrt(gradients.Sum(g => (double)g * g));
        // Double accumulation in a different order: relative difference of order 1e-14, asserted below 1e-12.
        Assert.That(GradientClipping.GlobalNorm(gradients), Is.EqualTo(expected).Within(1e-10).Percent);

        double norm = GradientClipping.ClipByGlobalNorm(gradients, maxNorm: 1.0);
        Assert.That(norm, Is.EqualTo(expected).Within(1e-10).Percent);
        // After scaling by 1/(norm + 1e-6) in float32 the new norm is 1 to float rounding.
        Assert.That(GradientClipping.GlobalNorm(gradients), Is.EqualTo(1.0).Within(1e-6));
    }

    [Test]
    public void AveragingMicroBatchesDividesByTheirCount()
    {
        float[] gradients = [4f, -8f, 2f];
        var tensor = Tensor.FromArray(gradients, 3);
        GradientAccumulation.AverageMicroBatches(tensor, 4);
        Assert.That(gradients, Is.EqualTo(new[] { 1f, -2f, 0.5f }));
        Assert.That(() => GradientAccumulation.AverageMicroBatches(tensor, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}

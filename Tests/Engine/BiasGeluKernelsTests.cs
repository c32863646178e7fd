using System.Numerics.Tensors;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

public class BiasGeluKernelsTests
{
    private const int Rows = 67, Width = 300;

    /// <summary>
    /// The fused pass performs the float operations of the unfused kernels (bias add, GELU, column sums over the same
    /// fixed row chunks), so the pre-activation is identical; its GELU gradient takes Φ(pre) = y/pre from the forward's
    /// output where the unfused one computes Φ again (two roundings apart). Elements of y and dPre may fall on the
    /// scalar tail of a row in one version and in a SIMD vector in the other, whose exp differ in the last bits:
    /// values of magnitude ≤ 3 agree within 1e-6 (a few float32 ulps), and the bias gradient, a sum of 67 of them, within 1e-5.
    /// </summary>
    [Test]
    public void FusedForwardAndBackwardEqualTheUnfusedKernels()
    {
        var random = new Random(3);
        var product = Values(random, Rows * Width, 3f);
        var bias = Values(random, Width, 1f);
        var dy = Values(random, Rows * Width, 1f);
        var biasGradStart = Values(random, Width, 1f);

        // Unfused: pre = product + bias (row by row), y = GELU(pre), dPre = dy ⊙ GELU'(pre), dBias += Σ_rows dPre.
        var expectedPre = (float[])product.Clone();
        for (int r = 0; r < Rows; r++)
        {
            var row = expectedPre.AsSpan(r * Width, Width);
            TensorPrimitives.Add(row, bias, row);
        }
        var expectedY = new float[Rows * Width];
        ActivationKernels.GeluForward(expectedPre, expectedY);
        var expectedPreGrad = new float[Rows * Width];
        ActivationKernels.GeluBackward(expectedPre, dy, expectedPreGrad);
        var expectedBiasGrad = (float[])biasGradStart.Clone();
        ReductionKernels.AddColumnSums(expectedPreGrad, expectedBiasGrad, Width);

        var pre = (float[])product.Clone();
        var y = new float[Rows * Width];
        BiasGeluKernels.Forward(pre, bias, y);
        var preGrad = Enumerable.Repeat(float.NaN, Rows * Width).ToArray(); // written, never read
        var biasGrad = (float[])biasGradStart.Clone();
        BiasGeluKernels.Backward(pre, y, dy, preGrad, biasGrad);

        Assert.That(pre, Is.EqualTo(expectedPre));
        Assert.That(y, Is.EqualTo(expectedY).Within(1e-6f));
        Assert.That(preGrad, Is.EqualTo(expectedPreGrad).Within(1e-6f));
        Assert.That(biasGrad, Is.EqualTo(expectedBiasGrad).Within(1e-5f));
    }

    internal static float[] Values(Random random, int count, float scale) =>
        Enumerable.Range(0, count).Select(_ => scale * (2f * random.NextSingle() - 1f)).ToArray();
}

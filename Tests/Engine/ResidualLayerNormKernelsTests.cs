using System.Numerics.Tensors;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

public class ResidualLayerNormKernelsTests
{
    private const int Rows = 67, Columns = 44;
    private const float Eps = 1e-12f;

    /// <summary>
    /// The fused passes perform the float operations of the separate kernels (bias add, dropout, residual add,
    /// LayerNorm; LayerNorm backward, residual add, dropout backward, column sums over the same fixed row chunks) in
    /// the same order, and the dropout mask is an exact function of (seed, index): results must be identical. The one
    /// exception is the dense bias gradient: the fused pass adds the total of its row-chunk partials to it at once,
    /// <see cref="ReductionKernels.AddColumnSums"/> adds them one by one; a different association of ~32 sums of
    /// magnitude ≤ 67, so within 1e-5.
    /// </summary>
    [TestCase(0.3f)]
    [TestCase(0f)]
    public void FusedForwardAndBackwardEqualTheSeparateKernels(float probability)
    {
        const ulong Seed = 99;
        var random = new Random(5);
        var dense = BiasGeluKernelsTests.Values(random, Rows * Columns, 2f);
        var bias = BiasGeluKernelsTests.Values(random, Columns, 1f);
        var residual = BiasGeluKernelsTests.Values(random, Rows * Columns, 2f);
        var weight = BiasGeluKernelsTests.Values(random, Columns, 1.5f);
        var normBias = BiasGeluKernelsTests.Values(random, Columns, 0.5f);
        var dy = BiasGeluKernelsTests.Values(random, Rows * Columns, 1f);
        var residualGradStart = BiasGeluKernelsTests.Values(random, Rows * Columns, 1f);
        var parameterGradStart = BiasGeluKernelsTests.Values(random, Columns, 1f);

        // Separate kernels.
        var expectedSum = (float[])dense.Clone();
        for (int r = 0; r < Rows; r++)
        {
            var row = expectedSum.AsSpan(r * Columns, Columns);
            TensorPrimitives.Add(row, bias, row);
        }
        var expectedMask = new float[Rows * Columns];
        if (probability > 0)
        {
            DropoutKernels.Forward((float[])expectedSum.Clone(), probability, Seed, expectedMask, expectedSum);
        }
        TensorPrimitives.Add(expectedSum, residual, expectedSum);
        var (expectedY, expectedMean, expectedRstd) = (new float[Rows * Columns], new float[Rows], new float[Rows]);
        LayerNormKernels.Forward(expectedSum, weight, normBias, Eps, expectedY, expectedMean, expectedRstd);

        var sumGrad = new float[Rows * Columns];
        var (expectedWeightGrad, expectedNormBiasGrad) = ((float[])parameterGradStart.Clone(), (float[])parameterGradStart.Clone());
        LayerNormKernels.Backward(expectedSum, weight, expectedMean, expectedRstd, dy, sumGrad, expectedWeightGrad, expectedNormBiasGrad);
        var expectedResidualGrad = (float[])residualGradStart.Clone();
        TensorPrimitives.Add(expectedResidualGrad, sumGrad, expectedResidualGrad);
        var expectedDenseGrad = probability > 0 ? sumGrad.Zip(expectedMask, (g, m) => g * m).ToArray() : sumGrad;
        var expectedDenseBiasGrad = (float[])parameterGradStart.Clone();
        ReductionKernels.AddColumnSums(expectedDenseGrad, expectedDenseBiasGrad, Columns);

        // Fused kernels.
        var mask = probability > 0 ? new float[Rows * Columns] : [];
        var (sum, y, mean, rstd) = (new float[Rows * Columns], new float[Rows * Columns], new float[Rows], new float[Rows]);
        ResidualLayerNormKernels.Forward(dense, bias, residual, probability, Seed, weight, normBias, Eps, mask, sum, y, mean, rstd);
        var residualGrad = (float[])residualGradStart.Clone();
        var denseGrad = Enumerable.Repeat(float.NaN, Rows * Columns).ToArray(); // written, never read
        var (weightGrad, normBiasGrad, denseBiasGrad) =
            ((float[])parameterGradStart.Clone(), (float[])parameterGradStart.Clone(), (float[])parameterGradStart.Clone());
        ResidualLayerNormKernels.Backward(sum, weight, mean, rstd, mask, dy, residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad);

        Assert.That(sum, Is.EqualTo(expectedSum));
        Assert.That(y, Is.EqualTo(expectedY));
        Assert.That(mean, Is.EqualTo(expectedMean));
        Assert.That(rstd, Is.EqualTo(expectedRstd));
        if (probability > 0)
        {
            Assert.That(mask, Is.EqualTo(expectedMask));
        }
        Assert.That(residualGrad, Is.EqualTo(expectedResidualGrad));
        Assert.That(denseGrad, Is.EqualTo(expectedDenseGrad));
        Assert.That(weightGrad, Is.EqualTo(expectedWeightGrad));
        Assert.That(normBiasGrad, Is.EqualTo(expectedNormBiasGrad));
        Assert.That(denseBiasGrad, Is.EqualTo(expectedDenseBiasGrad).Within(1e-5f));
    }
}

using System.Numerics.Tensors;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

public class SoftmaxDropoutBackwardTests
{
    private const int Rows = 37, Columns = 45;

    /// <summary>
    /// Against the separate kernels: dz ⊙ mask, then <see cref="SoftmaxKernels.SoftmaxBackward"/> into zeros. Both
    /// compute y ⊙ g, then add −⟨g, y⟩·y, with the same operations: the results are identical (this matters: gradients
    /// that are pure rounding noise, such as the key bias's, must not change when the layer fuses the two steps).
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void EqualsDropoutBackwardThenSoftmaxBackward(bool withDropout)
    {
        var random = new Random(11);
        var scores = BiasGeluKernelsTests.Values(random, Rows * Columns, 4f);
        var y = new float[Rows * Columns];
        SoftmaxKernels.SoftmaxForward(scores, ReadOnlyMemory<float>.Empty, 1, y, Columns);
        var dz = BiasGeluKernelsTests.Values(random, Rows * Columns, 1f);
        var mask = withDropout ? Enumerable.Range(0, Rows * Columns).Select(i => i % 3 == 0 ? 0f : 1.5f).ToArray() : [];

        var g = withDropout ? dz.Zip(mask, (a, b) => a * b).ToArray() : (float[])dz.Clone();
        var expected = new float[Rows * Columns];
        SoftmaxKernels.SoftmaxBackward(y, g, expected, Columns);

        var dzCopy = (float[])dz.Clone();
        var dx = Enumerable.Repeat(float.NaN, Rows * Columns).ToArray(); // written, never read
        SoftmaxKernels.SoftmaxDropoutBackward(y, dzCopy, mask, dx, Columns);

        Assert.That(dx, Is.EqualTo(expected));
        Assert.That(dzCopy, Is.EqualTo(g));
        Assert.That(TensorPrimitives.Sum(dx), Is.EqualTo(0f).Within(1e-4f), "each row of a softmax gradient sums to 0");
    }
}

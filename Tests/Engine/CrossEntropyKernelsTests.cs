using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

public class CrossEntropyKernelsTests
{
    /// <summary>
    /// Writing the gradient (a fresh, uninitialised buffer) must give exactly what adding it to zeros gives, ignored
    /// rows included (they become zeros): the same operations on each element, only the final add of 0 left out.
    /// </summary>
    [Test]
    public void WrittenGradientEqualsGradientAddedToZeros()
    {
        const int Rows = 5, Classes = 37;
        var logits = BiasGeluKernelsTests.Values(new Random(8), Rows * Classes, 5f);
        int[] targets = [3, CrossEntropyKernels.IgnoreIndex, 0, 36, 12];
        var logSumExp = new float[Rows];
        CrossEntropyKernels.Forward(logits, targets, logSumExp, Classes);

        var added = new float[Rows * Classes];
        CrossEntropyKernels.Backward(logits, targets, logSumExp, 0.25f, added, Classes);
        var written = Enumerable.Repeat(float.NaN, Rows * Classes).ToArray();
        CrossEntropyKernels.Backward(logits, targets, logSumExp, 0.25f, written, Classes, accumulate: false);

        Assert.That(written, Is.EqualTo(added));
        Assert.That(written.AsSpan(Classes, Classes).ToArray(), Is.All.EqualTo(0f), "the ignored row");
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

public class DropoutKernelsTests
{
    /// <summary>
    /// The SIMD loop must draw exactly the mask of the scalar definition (element i dropped when the top 24 bits of
    /// SplitMix64(seed + i) fall below p·2²⁴), on every element: masks are recomputed after a resume, so equality is exact.
    /// 20,003 elements run on several threads, with blocks that do not start at multiples of 8.
    /// </summary>
    [TestCase(0.1f, 7UL)]
    [TestCase(0.5f, 123456789UL)]
    public void MaskMatchesTheScalarDefinition(float probability, ulong seed)
    {
        const int Length = 20_003;
        var x = Enumerable.Range(0, Length).Select(i => 0.001f * i - 3f).ToArray();
        var mask = new float[Length];
        var y = new float[Length];
        DropoutKernels.Forward(x, probability, seed, mask, y);

        float keepScale = 1f / (1f - probability);
        uint threshold = (uint)(probability * (1 << 24));
        for (int i = 0; i < Length; i++)
        {
            float expected = (uint)(SplitMix64.Hash(seed + (ulong)i) >> 40) < threshold ? 0f : keepScale;
            Assert.That(mask[i], Is.EqualTo(expected), $"mask[{i}]");
            Assert.That(y[i], Is.EqualTo(x[i] * expected), $"y[{i}]");
        }
    }
}

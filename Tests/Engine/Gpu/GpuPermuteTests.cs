using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuPermuteTests
{
    /// <summary>A permutation only moves values, so results must equal the CPU's exactly.</summary>
    [TestCase(new[] { 2, 3, 5, 7 }, new[] { 0, 2, 1, 3 })]
    [TestCase(new[] { 2, 3, 5, 7 }, new[] { 3, 1, 0, 2 })]
    [TestCase(new[] { 4, 5, 3 }, new[] { 2, 0, 1 })]
    [TestCase(new[] { 9, 11 }, new[] { 1, 0 })]
    public void ForwardAndAccumulatingBackwardEqualTheCpu(int[] shape, int[] order)
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(shape.Sum());
        int size = shape.Aggregate(1, (product, d) => product * d);
        var input = GpuTesting.Uniform(random, size);
        var output = new float[size];
        PermuteKernels.Permute(input, shape, order, output, accumulate: false);
        // Backward: the inverse permutation of dy added into dx.
        var outputShape = order.Select(d => shape[d]).ToArray();
        var inverse = new int[order.Length];
        for (int d = 0; d < order.Length; d++)
        {
            inverse[order[d]] = d;
        }
        var dxStart = GpuTesting.Uniform(random, size);
        var dx = (float[])dxStart.Clone();
        PermuteKernels.Permute(output, outputShape, inverse, dx, accumulate: true);

        using var deviceInput = device.Upload<float>(input);
        using var deviceOutput = device.Allocate<float>(size);
        using var deviceDx = device.Upload<float>(dxStart);
        GpuPermute.Permute(device, deviceInput.View, shape, order, deviceOutput.View, accumulate: false);
        GpuPermute.Permute(device, deviceOutput.View, outputShape, inverse, deviceDx.View, accumulate: true);
        Assert.That(device.Download<float>(deviceOutput.View), Is.EqualTo(output));
        Assert.That(device.Download<float>(deviceDx.View), Is.EqualTo(dx));
    }

    [Test]
    public void RejectsAnOrderThatIsNotAPermutation()
    {
        var device = GpuTestDevice.Cpu;
        using var buffer = device.Allocate<float>(6);
        var error = Assert.Throws<ArgumentException>(() => GpuPermute.Permute(device, buffer.View, [2, 3], [0, 0], buffer.View, false));
        Assert.That(error!.Message, Does.Contain("not a permutation"));
    }
}

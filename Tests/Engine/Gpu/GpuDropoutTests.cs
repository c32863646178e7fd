using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuDropoutTests
{
    /// <summary>The mask depends only on (seed, i), so the GPU must reproduce the CPU's bit for bit.</summary>
    [TestCase(0.1f, 0xDEADBEEF12345UL)]
    [TestCase(0.5f, 3UL)]
    public void MaskAndOutputEqualTheCpuExactly(float probability, ulong seed)
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(12);
        const int Count = 1013;
        var x = GpuTesting.Uniform(random, Count);
        var dy = GpuTesting.Uniform(random, Count);
        var dxStart = GpuTesting.Uniform(random, Count);
        var mask = new float[Count];
        var y = new float[Count];
        DropoutKernels.Forward(x, probability, seed, mask, y);
        var dx = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            dx[i] = dxStart[i] + dy[i] * mask[i];
        }

        using var deviceX = device.Upload<float>(x);
        using var deviceMask = device.Allocate<float>(Count);
        using var deviceY = device.Allocate<float>(Count);
        using var deviceDy = device.Upload<float>(dy);
        using var deviceDx = device.Upload<float>(dxStart);
        GpuDropout.Forward(device, deviceX.View, probability, seed, deviceMask.View, deviceY.View);
        GpuDropout.Backward(device, deviceDy.View, deviceMask.View, deviceDx.View);
        Assert.That(device.Download<float>(deviceMask.View), Is.EqualTo(mask));
        Assert.That(device.Download<float>(deviceY.View), Is.EqualTo(y));
        Assert.That(device.Download<float>(deviceDx.View), Is.EqualTo(dx));
        Assert.That(mask.Count(m => m == 0f), Is.InRange(Count * probability * 0.8, Count * probability * 1.2), "about p of the elements drop");
    }
}

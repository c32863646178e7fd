using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuSoftmaxTests
{
    /// <remarks>37 keys exceed the CPU accelerator's 16-thread groups, so each thread handles several columns.</remarks>
    [Test]
    public void MaskedSoftmaxForwardAndBackwardMatchTheCpu() =>
        CheckMaskedSoftmax(GpuTestDevice.Cpu, batch: 2, heads: 3, queries: 5, keys: 37);

    [Test]
    public void LogSoftmaxForwardAndBackwardMatchTheCpu()
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(5);
        const int Rows = 9, Columns = 23;
        var x = GpuTesting.Uniform(random, Rows * Columns, -8f, 8f);
        var dy = GpuTesting.Uniform(random, Rows * Columns);
        var dxStart = GpuTesting.Uniform(random, Rows * Columns);
        var y = new float[x.Length];
        var dx = (float[])dxStart.Clone();
        SoftmaxKernels.LogSoftmaxForward(x, y, Columns);
        SoftmaxKernels.LogSoftmaxBackward(y, dy, dx, Columns);

        using var deviceX = device.Upload<float>(x);
        using var deviceY = device.Allocate<float>(x.Length);
        using var deviceDy = device.Upload<float>(dy);
        using var deviceDx = device.Upload<float>(dxStart);
        GpuSoftmax.LogSoftmaxForward(device, deviceX.View, deviceY.View, Columns);
        GpuSoftmax.LogSoftmaxBackward(device, deviceY.View, deviceDy.View, deviceDx.View, Columns);
        GpuTesting.AssertClose(device.Download<float>(deviceY.View), y, "log-softmax y");
        GpuTesting.AssertClose(device.Download<float>(deviceDx.View), dx, "log-softmax dx");
    }

    /// <summary>Attention-shaped scores [B, H, Tq, Tk] with a key mask [B, Tk] that drops the last keys of batch 0.</summary>
    internal static void CheckMaskedSoftmax(GpuDevice device, int batch, int heads, int queries, int keys)
    {
        var random = new Random(keys);
        int rows = batch * heads * queries;
        var x = GpuTesting.Uniform(random, rows * keys, -6f, 6f);
        var mask = new float[batch * keys];
        for (int k = keys - 3; k < keys; k++)
        {
            mask[k] = -10000f;
        }
        var dy = GpuTesting.Uniform(random, rows * keys);
        var dxStart = GpuTesting.Uniform(random, rows * keys);
        var y = new float[x.Length];
        var dx = (float[])dxStart.Clone();
        SoftmaxKernels.SoftmaxForward(x, mask, heads * queries, y, keys);
        SoftmaxKernels.SoftmaxBackward(y, dy, dx, keys);

        using var deviceX = device.Upload<float>(x);
        using var deviceMask = device.Upload<float>(mask);
        using var deviceY = device.Allocate<float>(x.Length);
        using var deviceDy = device.Upload<float>(dy);
        using var deviceDx = device.Upload<float>(dxStart);
        GpuSoftmax.Forward(device, deviceX.View, deviceMask.View, heads * queries, deviceY.View, keys);
        GpuSoftmax.Backward(device, deviceY.View, deviceDy.View, deviceDx.View, keys);
        GpuTesting.AssertClose(device.Download<float>(deviceY.View), y, "softmax y");
        GpuTesting.AssertClose(device.Download<float>(deviceDx.View), dx, "softmax dx");

        // Without a mask.
        SoftmaxKernels.SoftmaxForward(x, ReadOnlyMemory<float>.Empty, 1, y, keys);
        GpuSoftmax.Forward(device, deviceX.View, default, 1, deviceY.View, keys);
        GpuTesting.AssertClose(device.Download<float>(deviceY.View), y, "unmasked softmax y");
    }
}

using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuLayerNormTests
{
    /// <remarks>
    /// 23 rows of 37 columns with mean 3 (the two-pass variance must stay accurate); gradients accumulate into
    /// nonzero buffers. The parameter gradients sum 23 rows in a different order than the CPU: still ~1e-7.
    /// </remarks>
    [Test]
    public void ForwardAndBackwardMatchTheCpu() => CheckLayerNorm(GpuTestDevice.Cpu, rows: 23, columns: 37);

    /// <summary>The parameter gradients' column sums over 200 rows in chunks (a target of 64 groups).</summary>
    [Test]
    public void ParameterGradientsInChunksMatchTheCpu() =>
        GpuGemmTests.WithTargetGroups(GpuTestDevice.Cpu, 64, device => CheckLayerNorm(device, rows: 200, columns: 37));

    internal static void CheckLayerNorm(GpuDevice device, int rows, int columns)
    {
        var random = new Random(rows + columns);
        const float Eps = 1e-12f;
        var x = GpuTesting.Uniform(random, rows * columns, 2f, 4f);
        var weight = GpuTesting.Uniform(random, columns, 0.5f, 1.5f);
        var bias = GpuTesting.Uniform(random, columns);
        var dy = GpuTesting.Uniform(random, rows * columns);
        var dxStart = GpuTesting.Uniform(random, rows * columns);
        var dweightStart = GpuTesting.Uniform(random, columns);
        var dbiasStart = GpuTesting.Uniform(random, columns);
        var y = new float[x.Length];
        var mean = new float[rows];
        var rstd = new float[rows];
        var dx = (float[])dxStart.Clone();
        var dweight = (float[])dweightStart.Clone();
        var dbias = (float[])dbiasStart.Clone();
        LayerNormKernels.Forward(x, weight, bias, Eps, y, mean, rstd);
        LayerNormKernels.Backward(x, weight, mean, rstd, dy, dx, dweight, dbias);

        using var deviceX = device.Upload<float>(x);
        using var deviceWeight = device.Upload<float>(weight);
        using var deviceBias = device.Upload<float>(bias);
        using var deviceY = device.Allocate<float>(x.Length);
        using var deviceMean = device.Allocate<float>(rows);
        using var deviceRstd = device.Allocate<float>(rows);
        using var deviceDy = device.Upload<float>(dy);
        using var deviceDx = device.Upload<float>(dxStart);
        using var deviceDweight = device.Upload<float>(dweightStart);
        using var deviceDbias = device.Upload<float>(dbiasStart);
        GpuLayerNorm.Forward(device, deviceX.View, deviceWeight.View, deviceBias.View, Eps, deviceY.View, deviceMean.View, deviceRstd.View);
        GpuLayerNorm.Backward(device, deviceX.View, deviceWeight.View, deviceMean.View, deviceRstd.View, deviceDy.View,
            deviceDx.View, deviceDweight.View, deviceDbias.View);
        GpuTesting.AssertClose(device.Download<float>(deviceY.View), y, "y");
        GpuTesting.AssertClose(device.Download<float>(deviceMean.View), mean, "mean");
        GpuTesting.AssertClose(device.Download<float>(deviceRstd.View), rstd, "rstd");
        GpuTesting.AssertClose(device.Download<float>(deviceDx.View), dx, "dx");
        GpuTesting.AssertClose(device.Download<float>(deviceDweight.View), dweight, "dweight");
        GpuTesting.AssertClose(device.Download<float>(deviceDbias.View), dbias, "dbias");
    }
}

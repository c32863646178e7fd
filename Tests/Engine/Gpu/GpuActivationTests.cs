using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuActivationTests
{
    private const int Count = 1009;

    /// <remarks>
    /// Inputs in [−7, 7] reach both tails of Φ. The GPU evaluates the same erfc fit in float instead of double,
    /// which moves results by a few float32 roundings, far inside the 1e-5 normwise bound.
    /// </remarks>
    [Test]
    public void GeluForwardAndBackwardMatchTheCpu()
    {
        var (x, dy, dxStart) = Inputs(7f);
        var y = new float[Count];
        var dx = (float[])dxStart.Clone();
        ActivationKernels.GeluForward(x, y);
        ActivationKernels.GeluBackward(x, dy, dx);
        var (gpuY, gpuDx) = RunOnGpu(x, dy, dxStart, GpuActivations.GeluForward, (device, _, xView, dyView, dxView) =>
            GpuActivations.GeluBackward(device, xView, dyView, dxView));
        GpuTesting.AssertClose(gpuY, y, "GELU y");
        GpuTesting.AssertClose(gpuDx, dx, "GELU dx");
    }

    [Test]
    public void TanhForwardAndBackwardMatchTheCpu()
    {
        var (x, dy, dxStart) = Inputs(4f);
        var y = new float[Count];
        var dx = (float[])dxStart.Clone();
        ActivationKernels.TanhForward(x, y);
        ActivationKernels.TanhBackward(y, dy, dx);
        var (gpuY, gpuDx) = RunOnGpu(x, dy, dxStart, GpuActivations.TanhForward, (device, yView, _, dyView, dxView) =>
            GpuActivations.TanhBackward(device, yView, dyView, dxView));
        GpuTesting.AssertClose(gpuY, y, "tanh y");
        GpuTesting.AssertClose(gpuDx, dx, "tanh dx");
    }

    private static (float[] X, float[] Dy, float[] DxStart) Inputs(float range)
    {
        var random = new Random(9);
        return (GpuTesting.Uniform(random, Count, -range, range), GpuTesting.Uniform(random, Count), GpuTesting.Uniform(random, Count));
    }

    /// <summary>Runs forward then backward (given y, x, dy and dx) on the test device; returns y and dx.</summary>
    private static (float[] Y, float[] Dx) RunOnGpu(float[] x, float[] dy, float[] dxStart,
        Action<GpuDevice, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>> forward,
        Action<GpuDevice, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>> backward)
    {
        var device = GpuTestDevice.Cpu;
        using var deviceX = device.Upload<float>(x);
        using var deviceY = device.Allocate<float>(x.Length);
        using var deviceDy = device.Upload<float>(dy);
        using var deviceDx = device.Upload<float>(dxStart);
        forward(device, deviceX.View, deviceY.View);
        backward(device, deviceY.View, deviceX.View, deviceDy.View, deviceDx.View);
        return (device.Download<float>(deviceY.View), device.Download<float>(deviceDx.View));
    }
}

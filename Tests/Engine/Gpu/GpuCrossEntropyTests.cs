using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuCrossEntropyTests
{
    [Test]
    public void ForwardAndBackwardMatchTheCpu()
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(6);
        const int Rows = 19, Classes = 37;
        var logits = GpuTesting.Uniform(random, Rows * Classes, -5f, 5f);
        var targets = new int[Rows];
        for (int r = 0; r < Rows; r++)
        {
            targets[r] = r % 4 == 1 ? CrossEntropyKernels.IgnoreIndex : random.Next(Classes);
        }
        var dlogitsStart = GpuTesting.Uniform(random, logits.Length);
        var logSumExp = new float[Rows];
        var dlogits = (float[])dlogitsStart.Clone();
        var (meanLoss, count) = CrossEntropyKernels.Forward(logits, targets, logSumExp, Classes);
        const float LossGradient = 0.75f;
        CrossEntropyKernels.Backward(logits, targets, logSumExp, LossGradient / count, dlogits, Classes);

        using var deviceLogits = device.Upload<float>(logits);
        using var deviceTargets = device.UploadIndices(targets, Classes, "targets", allowed: CrossEntropyKernels.IgnoreIndex);
        using var deviceLogSumExp = device.Allocate<float>(Rows);
        using var rowLoss = device.Allocate<float>(Rows);
        using var deviceDlogits = device.Upload<float>(dlogitsStart);
        using var deviceLossGradient = device.Upload<float>([LossGradient]);
        var (gpuMeanLoss, gpuCount) = GpuCrossEntropy.Forward(device, deviceLogits.View, deviceTargets.View, deviceLogSumExp.View, rowLoss.View, Classes);
        GpuCrossEntropy.Backward(device, deviceLogits.View, deviceTargets.View, deviceLogSumExp.View, deviceLossGradient.View, gpuCount,
            deviceDlogits.View, Classes);

        Assert.That(gpuCount, Is.EqualTo(count));
        Assert.That(gpuMeanLoss, Is.EqualTo(meanLoss).Within(GpuTesting.Tolerance).Percent);
        GpuTesting.AssertClose(device.Download<float>(deviceLogSumExp.View), logSumExp, "logsumexp");
        GpuTesting.AssertClose(device.Download<float>(deviceDlogits.View), dlogits, "dlogits");
    }
}

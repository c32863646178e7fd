using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuCrossEntropyTests
{
    /// <summary>19 rows: the mean's last group reads them in two chunks of the default 16-thread group.</summary>
    [Test]
    public void ForwardAndBackwardMatchTheCpu() => CheckCrossEntropy(GpuTestDevice.Cpu, rows: 19);

    /// <summary>
    /// The device's mean loss (summed in double in row order, as on the CPU, by the last group to finish) against the
    /// CPU's: the row losses may differ by a few float roundings of the logsumexp, so the bound is 1e-5 relative.
    /// </summary>
    internal static void CheckCrossEntropy(GpuDevice device, int rows)
    {
        var random = new Random(6);
        const int Classes = 37;
        var logits = GpuTesting.Uniform(random, rows * Classes, -5f, 5f);
        var targets = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            targets[r] = r % 4 == 1 ? CrossEntropyKernels.IgnoreIndex : random.Next(Classes);
        }
        var dlogitsStart = GpuTesting.Uniform(random, logits.Length);
        var logSumExp = new float[rows];
        var dlogits = (float[])dlogitsStart.Clone();
        var (meanLoss, count) = CrossEntropyKernels.Forward(logits, targets, logSumExp, Classes);
        const float LossGradient = 0.75f;
        CrossEntropyKernels.Backward(logits, targets, logSumExp, LossGradient / count, dlogits, Classes);

        using var deviceLogits = device.Upload<float>(logits);
        using var deviceTargets = device.UploadIndices(targets, Classes, "targets", allowed: CrossEntropyKernels.IgnoreIndex);
        using var deviceLogSumExp = device.Allocate<float>(rows);
        using var rowLoss = device.Allocate<float>(rows);
        using var deviceDlogits = device.Upload<float>(dlogitsStart);
        using var deviceLossGradient = device.Upload<float>([LossGradient]);
        using var deviceLoss = device.Allocate<float>(1);
        GpuCrossEntropy.Forward(device, deviceLogits.View, deviceTargets.View, deviceLogSumExp.View, rowLoss.View, deviceLoss.View, Classes);
        GpuCrossEntropy.Backward(device, deviceLogits.View, deviceTargets.View, deviceLogSumExp.View, deviceLossGradient.View, count,
            deviceDlogits.View, Classes);

        Assert.That(device.Download<float>(deviceLoss.View)[0], Is.EqualTo(meanLoss).Within(GpuTesting.Tolerance * meanLoss));
        GpuTesting.AssertClose(device.Download<float>(deviceLogSumExp.View), logSumExp, "logsumexp");
        GpuTesting.AssertClose(device.Download<float>(deviceDlogits.View), dlogits, "dlogits");
    }
}

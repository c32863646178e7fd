using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// Three optimizer steps of the tiny model of <see cref="DeviceModelTests"/> (forward, backward, clipping at a norm
/// small enough to clip every step, AdamW) with <see cref="AdamW"/> on the CPU and <see cref="DeviceAdamW"/> on
/// ILGPU's CPU accelerator.
/// </summary>
[Category("Gpu")]
public class DeviceAdamWTests
{
    private const double MaxGradNorm = 0.5;
    private const double LearningRate = 1e-3;

    [Test]
    public void ThreeStepsGiveTheSameParameters()
    {
        var cpu = new BertForPreTraining(DeviceModelTests.TinyConfig, seed: 4);
        var gpu = new BertForPreTraining(DeviceModelTests.TinyConfig, seed: 4);
        var cpuOptimizer = NewOptimizer(cpu);
        gpu.MoveTo(GpuTestDevice.Device);
        try
        {
            using var gpuOptimizer = new DeviceAdamW(NewOptimizer(gpu), gpu.Parameters);
            for (int step = 1; step <= 3; step++)
            {
                double cpuLoss = ForwardBackward(cpu, step);
                GradientAccumulation.AverageMicroBatches(cpu.Parameters.Gradients, 1);
                double cpuNorm = GradientClipping.ClipByGlobalNorm(cpu.Parameters.Gradients, MaxGradNorm);
                cpuOptimizer.Step(cpu.Parameters.Values, cpu.Parameters.Gradients, LearningRate);

                double gpuLoss = ForwardBackward(gpu, step);
                gpuOptimizer.AverageMicroBatches(1);
                double gpuNorm = Math.Sqrt(gpuOptimizer.GradientSumOfSquares());
                float scale = GradientClipping.ScaleFor(gpuNorm, MaxGradNorm);
                gpuOptimizer.Step(LearningRate, scale);

                TestContext.Out.WriteLine($"step {step}: loss {cpuLoss} vs {gpuLoss}, norm {cpuNorm} vs {gpuNorm}, clip scale {scale}");
                // Losses and norms: relative 1e-5 (the gradients agree to ≈ 1e-6; the norm sums in float on the device).
                Assert.That(gpuLoss, Is.EqualTo(cpuLoss).Within(1e-5 * Math.Abs(cpuLoss)), $"loss at step {step}");
                Assert.That(gpuNorm, Is.EqualTo(cpuNorm).Within(1e-5 * cpuNorm), $"gradient norm at step {step}");
                Assert.That(scale, Is.LessThan(1f), "the norm bound is small enough to clip");
            }
            Assert.That(gpuOptimizer.StepCount, Is.EqualTo(3));
            gpuOptimizer.CopyStateToHost();
            Assert.That(gpuOptimizer.Host.StepCount, Is.EqualTo(3));
            GpuTesting.AssertClose(gpuOptimizer.Host.FirstMoment, cpuOptimizer.FirstMoment, "first moments (normwise)");
            gpu.MoveTo(Device.Cpu);
            // Normwise over all parameters (the largest is ≈ 1): Adam's steps are lr-sized, so the gradients' 1e-6
            // relative differences move parameters by ≈ 1e-9; the key biases, whose exact gradient is 0, follow rounding
            // noise by up to ≈ lr·1e-3. 1e-5 bounds both.
            GpuTesting.AssertClose(gpu.Parameters.Values, cpu.Parameters.Values, "parameters after 3 steps (normwise)");
        }
        finally
        {
            gpu.MoveTo(Device.Cpu);
        }
    }

    private static AdamW NewOptimizer(BertForPreTraining model) =>
        new(WeightDecayRule.Segments(model.Parameters.Parameters.Select(p => (p.Name, p.Offset, p.Value.Size))), new AdamWOptions());

    private static double ForwardBackward(BertForPreTraining model, int step)
    {
        using var scope = new TensorScope();
        model.Parameters.ZeroGradients();
        var output = model.Forward(DeviceModelTests.TinyBatch(step), new ForwardContext { Training = true, DropoutSeed = (ulong)step });
        output.Loss.Backward();
        return output.Loss.Item();
    }
}

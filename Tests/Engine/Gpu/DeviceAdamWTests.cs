using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;
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
            var gpuOptimizer = new DeviceAdamW(NewOptimizer(gpu), gpu.Parameters);
            for (int step = 1; step <= 3; step++)
            {
                double cpuLoss = ForwardBackward(cpu, step);
                GradientAccumulation.AverageMicroBatches(cpu.Parameters.AllGradients, 1);
                double cpuNorm = GradientClipping.ClipByGlobalNorm(cpu.Parameters.Gradients, MaxGradNorm);
                cpuOptimizer.Step(cpu.Parameters.Values, cpu.Parameters.Gradients, LearningRate);

                double gpuLoss = ForwardBackward(gpu, step);
                gpuOptimizer.AverageMicroBatches(1);
                // Clipping decided on the device (loss sum 0: finite), then read back.
                var control = Tensor.Zeros(GpuTestDevice.Device, StepControl.Length);
                TensorKernels.GradientClipping([gpu.Parameters.AllGradients], MaxGradNorm, control);
                gpuOptimizer.Step(LearningRate, control);
                gpuOptimizer.Host.CountUpdate();
                float[] decided = control.ToArray();
                double gpuNorm = decided[StepControl.GradientNorm];
                float scale = decided[StepControl.ClipFactor];
                Assert.That(decided[StepControl.Apply], Is.EqualTo(1f), "finite: applied");
                Assert.That(scale, Is.EqualTo(GradientClipping.ScaleFor(gpuNorm, MaxGradNorm)), "the host's formula");

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

    /// <summary>
    /// One update of the same parameters and gradients by <see cref="AdamW"/> on the CPU and by <see cref="DeviceAdamW"/>
    /// on <c>ilgpu-cpu</c>, with the default <see cref="AdamWOptions"/> and with other ones: the device takes β1, β2, ε
    /// and the weight decay from the same options, so the moments agree bit for bit (m = (1 − β1)·g and v = (1 − β2)·g²
    /// after one step: a different β shows there) and the parameters to float rounding. The gradients span
    /// 1e-9 … 1, so for the smallest ones √v̂ ≪ ε and the step is ≈ lr·g/ε: an ε of 1e-8 instead of 1e-6 would move
    /// them by 100× more; the weights decay and the biases do not, so a different weight decay moves the weights.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void OneStepUsesTheCpuHyperparameters(bool otherOptions)
    {
        const int Weights = 4 * 8, Biases = 8, Count = Weights + Biases;
        var options = otherOptions ? new AdamWOptions { Beta1 = 0.8, Beta2 = 0.98, Epsilon = 1e-8, WeightDecay = 0.1 } : new AdamWOptions();
        ParameterSegment[] segments = [new(0, Weights, Decay: true), new(Weights, Biases, Decay: false)];
        var random = new Random(7);
        var values = GpuTesting.Uniform(random, Count);
        var gradients = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            gradients[i] = (i % 2 == 0 ? 1f : -1f) * MathF.Pow(10f, -9f + 9f * i / (Count - 1));
        }

        var cpuValues = (float[])values.Clone();
        var cpuOptimizer = new AdamW(segments, options);
        cpuOptimizer.Step(cpuValues, (float[])gradients.Clone(), LearningRate);

        var buffer = new ParameterBuffer([("w", [4, 8]), ("b", [Biases])]);
        values.CopyTo(buffer.Values, 0);
        gradients.CopyTo(buffer.Gradients, 0);
        buffer.MoveTo(GpuTestDevice.Device);
        try
        {
            var deviceOptimizer = new DeviceAdamW(new AdamW(segments, options), buffer);
            deviceOptimizer.Step(LearningRate, StepControl.Unconditional(GpuTestDevice.Device));
            deviceOptimizer.CopyStateToHost();
            Assert.That(deviceOptimizer.Host.FirstMoment.ToArray(), Is.EqualTo(cpuOptimizer.FirstMoment.ToArray()), "m = (1 − β1)·g");
            Assert.That(deviceOptimizer.Host.SecondMoment.ToArray(), Is.EqualTo(cpuOptimizer.SecondMoment.ToArray()), "v = (1 − β2)·g²");
            buffer.MoveTo(Device.Cpu);
            for (int i = 0; i < Count; i++)
            {
                // Bit for bit: both kernels do AdamWScalars' float operations in the same order (IEEE-rounded
                // multiply, add, divide and square root on either side).
                Assert.That(buffer.Values[i], Is.EqualTo(cpuValues[i]), $"parameter {i} (gradient {gradients[i]:E1})");
                Assert.That(buffer.Values[i], Is.Not.EqualTo(values[i]), $"parameter {i} moved");
            }
        }
        finally
        {
            buffer.MoveTo(Device.Cpu);
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

using System.Globalization;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// AdamW and the global gradient norm against torch.optim.AdamW trajectories (Tests/Fixtures/adamw.safetensors, made
/// by Tests/Reference/adamw_reference.py): w [5, 7] decays (0.1), b [7] does not. Both live in one flat buffer,
/// w first, as the optimizer sees them. PyTorch ran in float64; float32 steps of size ~lr = 1e-2 on parameters of
/// size ~1 agree to ~1e-7 relative, well inside the 1e-5 normwise bound.
/// </summary>
[Category("Gpu")]
public class GpuAdamWTests
{
    private const int WeightCount = 35, BiasCount = 7, Count = WeightCount + BiasCount;

    [Test]
    public void ThreeStepsFollowPyTorch()
    {
        using var file = OpenFixture();
        var device = GpuTestDevice.Cpu;
        var settings = Settings(file, Number(file, "lr"));
        using var parameters = device.Upload<float>(Flat(file, "w.0", "b.0"));
        using var decay = device.Upload<float>(DecayMask());
        using var m = device.AllocateZeros<float>(Count);
        using var v = device.AllocateZeros<float>(Count);
        using var control = device.Upload<float>([0f, 0f, 1f, 1f]); // no clipping, always applied
        for (int step = 1; step <= 3; step++)
        {
            using var gradients = device.Upload<float>(Flat(file, $"grad_w.{step}", $"grad_b.{step}"));
            GpuAdamW.Step(device, parameters.View, gradients.View, m.View, v.View, decay.View, new AdamWScalars(settings, step), control.View);
            GpuTesting.AssertClose(device.Download<float>(parameters.View), Flat(file, $"w.{step}", $"b.{step}"), $"parameters after step {step}");
        }
        GpuTesting.AssertClose(device.Download<float>(m.View), Flat(file, "exp_avg_w.3", "exp_avg_b.3"), "exp_avg");
        GpuTesting.AssertClose(device.Download<float>(v.View), Flat(file, "exp_avg_sq_w.3", "exp_avg_sq_b.3"), "exp_avg_sq");
    }

    /// <summary>
    /// Each step: norm = √(Σ g²) over both tensors (clip_grad_norm_), gradients scaled by min(1, max / (norm + 1e-6)),
    /// then AdamW with the scheduled learning rate — the norm, the factor and the update all decided on the device
    /// (<see cref="GpuClipping"/>, the step control read by the AdamW kernel).
    /// </summary>
    [Test]
    public void ClippedScheduledStepsFollowPyTorch()
    {
        using var file = OpenFixture();
        var device = GpuTestDevice.Cpu;
        double maxNorm = Number(file, "clip.max_grad_norm");
        var learningRates = file.Metadata["clip.lr_used_by_update_1..6"].Split(',')
            .Select(text => double.Parse(text, CultureInfo.InvariantCulture)).ToArray();
        using var parameters = device.Upload<float>(Flat(file, "clip.w.0", "clip.b.0"));
        using var decay = device.Upload<float>(DecayMask());
        using var m = device.AllocateZeros<float>(Count);
        using var v = device.AllocateZeros<float>(Count);
        using var control = device.AllocateZeros<float>(StepControl.Length); // loss sum 0: finite
        using var partials = device.Allocate<float>(GpuReductions.PartialSumCount(device, Count));
        using var sumOfSquares = device.Allocate<float>(1);
        for (int step = 1; step <= learningRates.Length; step++)
        {
            using var gradients = device.Upload<float>(Flat(file, $"clip.grad_w.{step}", $"clip.grad_b.{step}"));
            GpuReductions.SumOfSquaresOnDevice(device, gradients.View, partials.View, sumOfSquares.View);
            GpuClipping.Decide(device, sumOfSquares.View, control.View, maxNorm);
            GpuAdamW.Step(device, parameters.View, gradients.View, m.View, v.View, decay.View, new AdamWScalars(Settings(file, learningRates[step - 1]), step), control.View);
            float[] decided = device.Download<float>(control.View);
            double norm = decided[StepControl.GradientNorm];
            Assert.That(norm, Is.EqualTo(file.ReadFloats($"clip.grad_norm.{step}")[0]).Within(GpuTesting.Tolerance).Percent, $"gradient norm at step {step}");
            // The device's factor comes from the norm in double; the norm read back is rounded to float (2⁻²⁴ relative)
            // and the factor is rounded to float (2⁻²⁴ again): 2⁻²³ ≈ 1.2e-7 relative between them.
            Assert.That(decided[StepControl.ClipFactor], Is.EqualTo(StepControl.ClipFactorFor(norm, maxNorm)).Within(1.2e-5).Percent, $"clip factor at step {step}");
            Assert.That(decided[StepControl.Apply], Is.EqualTo(1f), $"applied at step {step}");
            GpuTesting.AssertClose(device.Download<float>(parameters.View), Flat(file, $"clip.w.{step}", $"clip.b.{step}"), $"parameters after step {step}");
        }
    }

    private static SafeTensorsFile OpenFixture() =>
        SafeTensorsFile.Open(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "adamw.safetensors"));

    private static AdamWHyperparameters Settings(SafeTensorsFile file, double learningRate) => new(
        learningRate, Number(file, "beta1"), Number(file, "beta2"), Number(file, "eps"), Number(file, "weight_decay.w"));

    private static double Number(SafeTensorsFile file, string key) => double.Parse(file.Metadata[key], CultureInfo.InvariantCulture);

    /// <summary>1 for the weights (they decay), 0 for the biases (weight_decay.b is 0).</summary>
    private static float[] DecayMask() => [.. Enumerable.Repeat(1f, WeightCount), .. Enumerable.Repeat(0f, BiasCount)];

    private static float[] Flat(SafeTensorsFile file, string weightName, string biasName) =>
        [.. file.ReadFloats(weightName), .. file.ReadFloats(biasName)];
}

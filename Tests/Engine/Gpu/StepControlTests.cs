using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// What a training step decides and reads back where its tensors are: the clipping decision of
/// <see cref="TensorKernels.GradientClipping"/> (norm, factor, apply) and <see cref="DeviceReadback"/>, on the CPU,
/// the reference device and ILGPU's CPU accelerator.
/// </summary>
[Category("Gpu")]
public class StepControlTests
{
    private const double MaxNorm = 0.5;

    private static Device Named(string name) => name == "ilgpu-cpu" ? GpuTestDevice.Device : name == "reference" ? Device.Reference : Device.Cpu;

    /// <summary>
    /// Two gradient buffers whose norm is above the bound: every device finds the CPU's norm (summed in double
    /// there; in float per buffer on the device: within 1e-6 relative for these 300 values) and the host formula's
    /// factor for it, and says to apply.
    /// </summary>
    [TestCase("cpu")]
    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void DecidesTheNormAndTheClipFactorOfEveryBufferTogether(string deviceName)
    {
        var random = new Random(4);
        var first = GpuTesting.Uniform(random, 200);
        var second = GpuTesting.Uniform(random, 100);
        double expectedNorm = Math.Sqrt(first.Concat(second).Sum(g => (double)g * g));

        var device = Named(deviceName);
        var control = Tensor.FromArray([2.5f, 0f, 0f, 0f], StepControl.Length).To(device); // a finite loss sum
        TensorKernels.GradientClipping([Tensor.FromArray(first, 200).To(device), Tensor.FromArray(second, 100).To(device)], MaxNorm, control);
        float[] decided = control.ToArray();

        Assert.That(decided[StepControl.GradientNorm], Is.EqualTo(expectedNorm).Within(1e-6 * expectedNorm));
        Assert.That(decided[StepControl.ClipFactor], Is.EqualTo(StepControl.ClipFactorFor(decided[StepControl.GradientNorm], MaxNorm)).Within(1.2e-7 * MaxNorm / expectedNorm),
            "the host formula (the device used the norm before it was rounded to float: 2⁻²³ relative)");
        Assert.That(decided[StepControl.ClipFactor], Is.LessThan(1f));
        Assert.That(decided[StepControl.Apply], Is.EqualTo(1f));
        Assert.That(decided[StepControl.LossSum], Is.EqualTo(2.5f), "the loss sum is read, not written");
    }

    /// <summary>A NaN or infinite gradient, or a non-finite loss, means the step must not update: apply 0, factor 1.</summary>
    [TestCase("cpu", float.NaN, 1f)]
    [TestCase("cpu", 1f, float.PositiveInfinity)]
    [TestCase("reference", float.PositiveInfinity, 1f)]
    [TestCase("ilgpu-cpu", float.NaN, 1f)]
    [TestCase("ilgpu-cpu", float.NegativeInfinity, 1f)]
    [TestCase("ilgpu-cpu", 1f, float.NaN)]
    public void ANonFiniteGradientOrLossSkipsTheUpdate(string deviceName, float gradient, float loss)
    {
        var device = Named(deviceName);
        var control = Tensor.FromArray([loss, 0f, 0f, 0f], StepControl.Length).To(device);
        TensorKernels.GradientClipping([Tensor.FromArray([0.1f, gradient, -0.3f], 3).To(device)], MaxNorm, control);
        float[] decided = control.ToArray();
        Assert.That(decided[StepControl.Apply], Is.Zero);
        if (!float.IsFinite(gradient))
        {
            Assert.That(float.IsFinite(decided[StepControl.GradientNorm]), Is.False, "the norm reports the non-finite gradient");
            Assert.That(decided[StepControl.ClipFactor], Is.EqualTo(1f));
        }
    }

    /// <summary>
    /// Values added (copied) and reserved (written in place) come back together after <see cref="DeviceReadback.Download"/>;
    /// a readback that is full says so.
    /// </summary>
    [TestCase("cpu")]
    [TestCase("ilgpu-cpu")]
    public void ReadbackBringsBackWhatWasAddedAndReserved(string deviceName)
    {
        var device = Named(deviceName);
        var readback = new DeviceReadback(device, capacity: 6);
        for (int step = 1; step <= 2; step++)
        {
            readback.Clear();
            var reserved = readback.Reserve(2, out var reservedSlot);
            var added = readback.Add(Tensor.FromArray([step, 2f * step, 3f * step], 3).To(device));
            reserved.CopyFrom([-step, step / 2f]);
            readback.Download();
            Assert.That(readback.Read(added).ToArray(), Is.EqualTo(new[] { step, 2f * step, 3f * step }));
            Assert.That(readback.Read(reservedSlot).ToArray(), Is.EqualTo(new[] { -step, step / 2f }));
        }
        Assert.That(() => readback.Add(Tensor.Zeros(2).To(device)), Throws.InvalidOperationException.With.Message.Contains("holds 6 floats"));
    }
}

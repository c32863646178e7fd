using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>Tensors stored on a GPU device (ILGPU's CPU accelerator): transfers, pooling, views, errors.</summary>
[Category("Gpu")]
public class DeviceTensorTests
{
    private static Device Gpu => GpuTestDevice.Device;

    [Test]
    public void OpeningByName()
    {
        Assert.That(Device.Open("cpu"), Is.SameAs(Device.Cpu));
        var error = Assert.Throws<ArgumentException>(() => Device.Open("tpu"));
        Assert.That(error!.Message, Does.Contain("'tpu'").And.Contain("cpu, reference, cuda, opencl, ilgpu-cpu"));
        using var opened = Device.Open("ILGPU-CPU");
        Assert.That(opened.Name, Is.EqualTo("ilgpu-cpu"));
        Assert.That(opened.IsHost, Is.False);
    }

    [Test]
    public void ToAndFromTheDeviceKeepsTheValues()
    {
        float[] values = [1.5f, -2f, 3.25f, 0f, 7f, -0.125f];
        var host = Tensor.FromValues(values, 2, 3);
        var onDevice = host.To(Gpu);
        Assert.That(onDevice.Device, Is.SameAs(Gpu));
        Assert.That(onDevice.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(onDevice.ToArray(), Is.EqualTo(values));
        Assert.That(onDevice.To(Gpu), Is.SameAs(onDevice), "To the same device returns the tensor itself");
        var back = onDevice.To(Device.Cpu);
        Assert.That(back.Device, Is.SameAs(Device.Cpu));
        Assert.That(back.ToArray(), Is.EqualTo(values));
        Assert.That(onDevice.View(6).ToArray(), Is.EqualTo(values), "a view shares the device buffer");
        Assert.That(Tensor.FromValues([4.5f], 1).To(Gpu).Item(), Is.EqualTo(4.5f));
        Assert.That(Tensor.Zeros(Gpu, 3, 5).ToArray(), Is.EqualTo(new float[15]));
    }

    [Test]
    public void HostAccessToADeviceTensorSaysWhatToDo()
    {
        var tensor = Tensor.Zeros(Gpu, 2, 2);
        tensor.Name = "scores";
        var error = Assert.Throws<InvalidOperationException>(() => _ = tensor.Span.Length);
        Assert.That(error!.Message, Does.Contain("'scores' [2, 2]").And.Contain("ilgpu-cpu").And.Contain("ToArray()").And.Contain("To(Device.Cpu)"));
        Assert.Throws<InvalidOperationException>(() => _ = tensor.Memory);
        Assert.Throws<InvalidOperationException>(() => _ = tensor[0, 0]);
        Assert.Throws<InvalidOperationException>(() => _ = Tensor.Zeros(2).DeviceView, "a CPU tensor has no device view");
    }

    [Test]
    public void ScopedDeviceTensorsReturnTheirBuffersToThePool()
    {
        Tensor kept;
        using (new TensorScope())
        {
            kept = Tensor.Uninitialized(Gpu, 100, 3);
            Assert.That(Tensor.Zeros(Gpu, 100, 3).ToArray(), Is.All.Zero, "a rented buffer is cleared on request");
        }
        Assert.That(kept.ToString(), Does.EndWith("(released)"));
        Assert.Throws<InvalidOperationException>(() => _ = kept.DeviceView);
        long allocations = Gpu.Buffers!.Allocations;
        using (new TensorScope())
        {
            _ = Tensor.Uninitialized(Gpu, 100, 3);
            _ = Tensor.Zeros(Gpu, 300);
        }
        Assert.That(Gpu.Buffers.Allocations, Is.EqualTo(allocations), "the second scope reuses the first one's buffers");
    }

    [Test]
    public void DebuggerTextDownloadsAPreview()
    {
        var tensor = Tensor.FromValues([1f, 2f, 3f, 4f, 5f, 6f, 7f], 7).To(Gpu);
        Assert.That(tensor.ToString(), Is.EqualTo("[7] ilgpu-cpu {1, 2, 3, 4, 5, 6, …}"));
    }

    [Test]
    public void TheDebuggerViewShowsTheSameAsForTheCpu()
    {
        var host = Tensor.FromValues(GpuTesting.Uniform(new Random(2), 2 * 3 * 4), 2, 3, 4);
        var onDevice = new TensorDebugView(host.To(Gpu));
        var onCpu = new TensorDebugView(host);
        Assert.That(onDevice.Device, Is.EqualTo("ilgpu-cpu"));
        Assert.That(onDevice.Summary, Is.EqualTo(onCpu.Summary));
        Assert.That(onDevice.Rows, Is.EqualTo(onCpu.Rows));
        Assert.That(onDevice.Slices.Select(slice => slice.Rows), Is.EqualTo(onCpu.Slices.Select(slice => slice.Rows)));
    }

    [Test]
    public void ParametersMoveToTheDeviceAndBack()
    {
        var parameters = new ParameterBuffer([("w", [2, 3]), ("b", [3])]);
        var w = parameters["w"];
        for (int i = 0; i < parameters.Count; i++)
        {
            parameters.Values[i] = i + 0.5f;
            parameters.Gradients[i] = -i;
        }
        parameters.MoveTo(Gpu);
        Assert.That(parameters["w"], Is.SameAs(w), "layers keep their parameter objects");
        Assert.That(w.Device, Is.SameAs(Gpu));
        Assert.That(parameters["b"].ToArray(), Is.EqualTo(new[] { 6.5f, 7.5f, 8.5f }));
        Assert.That(parameters["b"].Grad!.ToArray(), Is.EqualTo(new[] { -6f, -7f, -8f }));
        Assert.Throws<InvalidOperationException>(() => _ = parameters.Values);

        parameters.ZeroGradients();
        parameters.MoveTo(Device.Cpu);
        Assert.That(w.Device, Is.SameAs(Device.Cpu));
        Assert.That(parameters.Values[4], Is.EqualTo(4.5f));
        Assert.That(parameters.Gradients, Is.All.Zero);
    }

    /// <summary>CopyFrom overwrites a tensor in place on every device (what a rollback uses for the optimizer's moments).</summary>
    [Test]
    public void CopyFromOverwritesInPlaceOnEveryDevice()
    {
        foreach (var device in new[] { Device.Cpu, Device.Reference, Gpu })
        {
            var tensor = Tensor.Zeros(device, 2, 3);
            tensor.CopyFrom([1f, 2f, 3f, 4f, 5f, 6f]);
            Assert.That(tensor.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f }), device.Name);
            Assert.Throws<ArgumentException>(() => tensor.CopyFrom([1f, 2f]));
        }
    }
}

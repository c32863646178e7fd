using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Engine;

/// <summary>
/// Where a tensor's data lives and where the kernels that read it run: the SIMD CPU engine (<see cref="Cpu"/>), the
/// textbook kernels of <see cref="Reference"/> (plain loops a learner can step through; host memory like the CPU), or
/// an ILGPU accelerator opened with <see cref="Open"/> (<c>cuda</c>, <c>opencl</c>, or <c>ilgpu-cpu</c> for tests).
/// Operations run on the device of their inputs; a GPU device also owns a pool of device buffers
/// (<see cref="DeviceBufferPool"/>) that tensors made inside a <see cref="TensorScope"/> borrow.
/// </summary>
public sealed class Device : IDisposable
{
    private readonly bool _ownsGpu;

    private Device(string name, GpuDevice? gpu, bool ownsGpu, bool isReference = false)
    {
        Name = name;
        IsReference = isReference;
        Gpu = gpu;
        _ownsGpu = ownsGpu;
        Buffers = gpu is null ? null : new DeviceBufferPool(gpu);
    }

    /// <summary>The multi-threaded SIMD CPU engine.</summary>
    public static Device Cpu { get; } = new("cpu", gpu: null, ownsGpu: false);

    /// <summary>
    /// The reference kernels (<c>Engine/Reference/</c>): one thread, no SIMD, no packing, loops written as the math
    /// reads. Slow; for learning and as the oracle the fast kernels are tested against.
    /// </summary>
    public static Device Reference { get; } = new("reference", gpu: null, ownsGpu: false, isReference: true);

    /// <summary>The names <see cref="Open"/> understands: <c>cpu</c>, <c>reference</c> and the accelerators of <see cref="GpuDevice.Names"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "reference", .. GpuDevice.Names];

    /// <summary>"cpu", "reference", or the accelerator's name (<c>cuda</c>, <c>opencl</c>, <c>ilgpu-cpu</c>).</summary>
    public string Name { get; }

    /// <summary>The accelerator with the engine's kernels compiled for it; null for the CPU and the reference device.</summary>
    public GpuDevice? Gpu { get; }

    /// <summary>True when the data is in host memory (<see cref="Cpu"/> and <see cref="Reference"/>).</summary>
    public bool IsHost => Gpu is null;

    /// <summary>True for <see cref="Reference"/>, whose tensors the reference kernels compute.</summary>
    public bool IsReference { get; }

    /// <summary>The device-buffer pool of a GPU device (null for host devices, whose pool is <see cref="BufferPool.Shared"/>).</summary>
    public DeviceBufferPool? Buffers { get; }

    /// <summary>
    /// <c>cpu</c> gives <see cref="Cpu"/>, <c>reference</c> <see cref="Reference"/>; an accelerator name opens that accelerator and compiles every kernel for it
    /// (seconds); with several accelerators of that kind, number <paramref name="ordinal"/> modulo their count. Throws
    /// <see cref="ArgumentException"/> for an unknown name and <see cref="InvalidOperationException"/> listing the
    /// accelerators present when the requested one is absent. Dispose the device when done.
    /// </summary>
    public static Device Open(string name, int ordinal = 0)
    {
        string normalized = name.Trim().ToLowerInvariant();
        if (normalized == Cpu.Name)
        {
            return Cpu;
        }
        if (normalized == Reference.Name)
        {
            return Reference;
        }
        if (!GpuDevice.Names.Contains(normalized))
        {
            throw new ArgumentException($"Unknown device '{name}'; expected one of {string.Join(", ", Names)}.");
        }
        return new Device(normalized, GpuDevice.Open(normalized, ordinal), ownsGpu: true);
    }

    /// <summary>A device over an accelerator that is already open; disposing it frees its buffers but leaves <paramref name="gpu"/> open.</summary>
    public static Device On(GpuDevice gpu) => new(gpu.Name, gpu, ownsGpu: false);

    /// <summary>
    /// The device every tensor of <paramref name="tensors"/> (nulls skipped) is on, where <paramref name="operation"/>
    /// runs; <see cref="ArgumentException"/> when they are on different devices.
    /// </summary>
    public static Device Common(string operation, params ReadOnlySpan<Tensor?> tensors)
    {
        Device? device = null;
        foreach (var tensor in tensors)
        {
            if (tensor is null)
            {
                continue;
            }
            device ??= tensor.Device;
            if (tensor.Device != device)
            {
                throw new ArgumentException(
                    $"{operation}: the inputs are on different devices ({device.Name} and {tensor.Device.Name}); move them to one device with To(device) first.");
            }
        }
        return device ?? Cpu;
    }

    /// <summary>Frees the pooled buffers and closes an accelerator this device opened (nothing for host devices).</summary>
    public void Dispose()
    {
        Buffers?.Dispose();
        if (_ownsGpu)
        {
            Gpu!.Dispose();
        }
    }

    public override string ToString() => Name;
}

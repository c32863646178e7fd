using ILGPU;
using ILGPU.Runtime;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Engine.Memory;

/// <summary>
/// The GPU twin of <see cref="BufferPool"/>: keeps device buffers that tensors gave back when their
/// <see cref="TensorScope"/> ended, in the same size classes (<see cref="BufferPool.SizeClass"/>), so that a training
/// step that repeats the shapes of the previous one allocates no device memory. Buffers are unmanaged accelerator
/// memory: <see cref="Dispose"/> (called by <see cref="Device.Dispose"/>) frees the free ones, and closing the
/// accelerator frees the rest.
/// </summary>
public sealed class DeviceBufferPool(GpuDevice gpu) : IDisposable
{
    private readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = [];
    private readonly Lock _lock = new();

    /// <summary>How many buffers were allocated because none of the right length was free.</summary>
    public long Allocations { get; private set; }

    /// <summary>Floats held by buffers that are currently free in the pool.</summary>
    public long FreeFloats { get; private set; }

    /// <summary>
    /// A buffer of <see cref="BufferPool.SizeClass"/>(<paramref name="length"/>) floats (at least one), zeroed on the
    /// device when <paramref name="clear"/>. Callers use its first <paramref name="length"/> elements.
    /// </summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Rent(int length, bool clear)
    {
        long sizeClass = BufferPool.SizeClass(Math.Max(1, length));
        MemoryBuffer1D<float, Stride1D.Dense>? buffer = null;
        lock (_lock)
        {
            if (_free.TryGetValue(sizeClass, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                FreeFloats -= sizeClass;
            }
            else
            {
                Allocations++;
            }
        }
        buffer ??= gpu.Allocate<float>((int)sizeClass);
        if (clear)
        {
            buffer.MemSetToZero();
        }
        return buffer;
    }

    /// <summary>Gives a buffer back for a later <see cref="Rent"/>.</summary>
    public void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        lock (_lock)
        {
            if (!_free.TryGetValue(buffer.Length, out var stack))
            {
                stack = new Stack<MemoryBuffer1D<float, Stride1D.Dense>>();
                _free[buffer.Length] = stack;
            }
            stack.Push(buffer);
            FreeFloats += buffer.Length;
        }
    }

    /// <summary>Frees every free buffer.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values)
            {
                foreach (var buffer in stack)
                {
                    buffer.Dispose();
                }
            }
            _free.Clear();
            FreeFloats = 0;
        }
    }
}

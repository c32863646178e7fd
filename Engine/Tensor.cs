using System.Diagnostics;
using System.Globalization;
using System.Text;
using ILGPU;
using ILGPU.Runtime;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Engine;

/// <summary>
/// A float32 tensor: a shape and a contiguous, row-major block of storage. On the CPU the storage is a
/// <see cref="float"/> array (<see cref="Data"/>); on a GPU device it is an accelerator buffer, whose elements the
/// host reads only through <see cref="ToArray"/>, <see cref="Item"/> or <see cref="To"/>.
/// Several tensors may share one storage (reshape views, parameter views into one flat buffer),
/// which is why the block starts at <see cref="Offset"/>.
/// </summary>
[DebuggerDisplay("{DebuggerText,nq}")]
[DebuggerTypeProxy(typeof(TensorDebugView))]
public sealed class Tensor
{
    private readonly int[] _shape;

    // Exactly one of the two storages is set while the tensor is alive: the array on the CPU, the buffer on a GPU.
    private float[]? _data;
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;

    /// <summary>
    /// The storage array of a CPU tensor. Elements <c>[Offset, Offset + Size)</c> belong to this tensor.
    /// Throws <see cref="InvalidOperationException"/> for a tensor on a GPU device.
    /// </summary>
    public float[] Data => _data ?? throw NotInHostMemory();

    /// <summary>Where this tensor's elements start inside its storage (<see cref="Data"/> or the device buffer).</summary>
    public int Offset { get; }

    /// <summary>Number of elements (product of the shape).</summary>
    public int Size { get; }

    /// <summary>The device the data lives on.</summary>
    public Device Device { get; private set; }

    /// <summary>The gradient of the loss with respect to this tensor, filled by <see cref="Backward"/>.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>True for parameters and for every tensor computed from one while gradients are recorded.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Optional name shown in the debugger and in error messages.</summary>
    public string? Name { get; set; }

    /// <summary>The operation that produced this tensor (null for leaves such as inputs and parameters).</summary>
    public GraphNode? Node { get; internal set; }

    /// <summary>True when this tensor does not own its array (a view of another tensor).</summary>
    public bool IsView { get; }

    internal bool IsPooled { get; private set; }

    /// <summary>A tensor over exactly one storage: <paramref name="data"/> (host devices) or <paramref name="buffer"/> (a GPU).</summary>
    private Tensor(Device device, float[]? data, MemoryBuffer1D<float, Stride1D.Dense>? buffer, int offset, int[] shape, bool isView, bool isPooled)
    {
        Size = ShapeSize(shape);
        long capacity = data?.Length ?? buffer!.Length;
        if (offset < 0 || (long)offset + Size > capacity)
        {
            string storage = data is null ? "a device buffer" : "an array";
            throw new ArgumentException($"A tensor of shape {FormatShape(shape)} at offset {offset} does not fit in {storage} of {capacity} floats.");
        }
        _shape = shape;
        _data = data;
        _buffer = buffer;
        Offset = offset;
        Device = device;
        IsView = isView;
        IsPooled = isPooled;
    }

    /// <summary>The shape, outermost dimension first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Size of dimension <paramref name="dim"/>; negative values count from the end.</summary>
    public int Dim(int dim) => _shape[dim < 0 ? _shape.Length + dim : dim];

    /// <summary>This tensor's elements (CPU tensors only, like <see cref="Data"/>).</summary>
    public Span<float> Span => Data.AsSpan(Offset, Size);

    /// <summary>This tensor's elements as <see cref="Memory{T}"/>, which parallel kernels can capture (CPU tensors only).</summary>
    public Memory<float> Memory => Data.AsMemory(Offset, Size);

    /// <summary>
    /// This tensor's elements on its accelerator, the argument the GPU kernels take (GPU tensors only;
    /// <see cref="InvalidOperationException"/> for a CPU tensor).
    /// </summary>
    internal ArrayView<float> DeviceView => _buffer is { } buffer
        ? buffer.View.SubView(Offset, Size)
        : throw new InvalidOperationException($"Tensor {Describe()} is on {Device.Name}, not on a GPU device: use Span or Memory, or To(device) first.");

    /// <summary>True once a pooled tensor's storage went back to its pool (<see cref="TensorScope"/> ended).</summary>
    internal bool IsReleased => _buffer is null && (_data is null || _data.Length == 0);

    /// <summary>A copy of the shape.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>A CPU tensor of zeros. Inside a <see cref="TensorScope"/> its array comes from the buffer pool.</summary>
    public static Tensor Zeros(params int[] shape) => Allocate(Device.Cpu, shape, clear: true);

    /// <summary>A tensor of zeros on <paramref name="device"/> (pooled inside a <see cref="TensorScope"/>).</summary>
    public static Tensor Zeros(Device device, params int[] shape) => Allocate(device, shape, clear: true);

    /// <summary>
    /// A CPU tensor whose contents are undefined (the caller overwrites every element).
    /// Inside a <see cref="TensorScope"/> its array comes from the buffer pool and goes back when the scope ends.
    /// </summary>
    public static Tensor Uninitialized(params int[] shape) => Allocate(Device.Cpu, shape, clear: false);

    /// <summary>An uninitialised tensor on <paramref name="device"/> (pooled inside a <see cref="TensorScope"/>).</summary>
    public static Tensor Uninitialized(Device device, params int[] shape) => Allocate(device, shape, clear: false);

    /// <summary>Wraps an existing array (no copy). The tensor is never returned to the pool.</summary>
    public static Tensor FromArray(float[] data, params int[] shape) => new(Device.Cpu, data, null, 0, (int[])shape.Clone(), isView: false, isPooled: false);

    /// <summary>A tensor that views <paramref name="size"/>-element block of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    public static Tensor ViewOf(float[] data, int offset, params int[] shape) => new(Device.Cpu, data, null, offset, (int[])shape.Clone(), isView: true, isPooled: false);

    /// <summary>
    /// A view of <paramref name="data"/> from <paramref name="offset"/> on a host device (<see cref="Device.Cpu"/> or
    /// <see cref="Device.Reference"/>, whose kernels then compute it); no copy.
    /// </summary>
    public static Tensor ViewOf(Device device, float[] data, int offset, params int[] shape) => device.IsHost
        ? new(device, data, null, offset, (int[])shape.Clone(), isView: true, isPooled: false)
        : throw new ArgumentException($"A host array cannot be viewed on {device.Name}: upload it with To(device).");

    /// <summary>A CPU tensor holding a copy of <paramref name="values"/> (<see cref="To"/> moves it to a GPU).</summary>
    public static Tensor FromValues(ReadOnlySpan<float> values, params int[] shape)
    {
        var tensor = Allocate(Device.Cpu, shape, clear: false);
        if (values.Length != tensor.Size)
        {
            throw new ArgumentException($"{values.Length} values cannot fill a tensor of shape {FormatShape(shape)}.");
        }
        values.CopyTo(tensor.Span);
        return tensor;
    }

    private static Tensor Allocate(Device device, int[] shape, bool clear)
    {
        int size = ShapeSize(shape);
        var scope = TensorScope.Current;
        if (device.Gpu is { } gpu)
        {
            return AllocateOnGpu(device, gpu, size, shape, clear, scope);
        }
        if (scope is null)
        {
            return new Tensor(device, new float[size], null, 0, (int[])shape.Clone(), isView: false, isPooled: false);
        }
        var tensor = new Tensor(device, BufferPool.Shared.Rent(size, clear), null, 0, (int[])shape.Clone(), isView: false, isPooled: true);
        scope.Track(tensor);
        return tensor;
    }

    /// <summary>
    /// Inside a scope the buffer comes from the device's pool and goes back when the scope ends; outside one the
    /// tensor owns a buffer of its own, freed by the garbage collector or when the accelerator closes.
    /// </summary>
    private static Tensor AllocateOnGpu(Device device, Gpu.GpuDevice gpu, int size, int[] shape, bool clear, TensorScope? scope)
    {
        if (scope is null)
        {
            var owned = clear ? gpu.AllocateZeros<float>(Math.Max(1, size)) : gpu.Allocate<float>(Math.Max(1, size));
            return new Tensor(device, null, owned, 0, (int[])shape.Clone(), isView: false, isPooled: false);
        }
        var tensor = new Tensor(device, null, device.Buffers!.Rent(size, clear), 0, (int[])shape.Clone(), isView: false, isPooled: true);
        scope.Track(tensor);
        return tensor;
    }

    /// <summary>Gives a pooled array or device buffer back (called by <see cref="TensorScope"/>); the tensor must not be used afterwards.</summary>
    internal void ReturnToPool()
    {
        if (!IsPooled)
        {
            return;
        }
        if (_buffer is not null)
        {
            Device.Buffers!.Return(_buffer);
            _buffer = null;
        }
        else
        {
            BufferPool.Shared.Return(_data!);
            _data = [];
        }
        IsPooled = false;
        Node = null;
        Grad = null;
    }

    /// <summary>
    /// Points this tensor at new storage with the same layout (used by <see cref="ParameterBuffer.MoveTo"/>, so that
    /// layers holding a parameter keep the same object when the parameters move to another device).
    /// </summary>
    internal void Rebind(Device device, float[]? data, MemoryBuffer1D<float, Stride1D.Dense>? buffer)
    {
        Device = device;
        _data = data;
        _buffer = buffer;
    }

    /// <summary>A view with another shape over the same elements (no copy, no autograd; see <see cref="Ops.Reshape"/>).</summary>
    public Tensor View(params int[] shape)
    {
        var resolved = ResolveShape(shape, Size);
        var view = _buffer is not null
            ? new Tensor(Device, null, _buffer, Offset, resolved, isView: true, isPooled: false)
            : new Tensor(Device, Data, null, Offset, resolved, isView: true, isPooled: false);
        view.RequiresGrad = RequiresGrad;
        return view;
    }

    /// <summary>Elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) as a one-dimensional view (no copy, no autograd).</summary>
    public Tensor Slice(int start, int length)
    {
        if (start < 0 || length < 0 || (long)start + length > Size)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Elements [{start}, {(long)start + length}) are not inside a tensor of {Size}.");
        }
        return new Tensor(Device, _data, _buffer, Offset + start, [length], isView: true, isPooled: false);
    }

    /// <summary>
    /// This tensor on <paramref name="device"/>: the tensor itself when it is already there, otherwise a copy
    /// (uploaded or downloaded; pooled inside a <see cref="TensorScope"/>). The copy has no autograd history.
    /// </summary>
    public Tensor To(Device device)
    {
        if (device == Device)
        {
            return this;
        }
        var copy = Allocate(device, ShapeArray(), clear: false);
        copy.Name = Name;
        if (device.Gpu is { } gpu)
        {
            gpu.Upload<float>(Device.IsHost ? Span : ToArray(), copy.DeviceView);
        }
        else if (Device.Gpu is { } source)
        {
            source.Download(DeviceView, copy.Span);
        }
        else
        {
            Span.CopyTo(copy.Span); // between the two host devices
        }
        return copy;
    }

    /// <summary>Overwrites every element with <paramref name="values"/> (same size), wherever the tensor is: copied on a host device, uploaded to a GPU.</summary>
    public void CopyFrom(ReadOnlySpan<float> values)
    {
        if (values.Length != Size)
        {
            throw new ArgumentException($"{values.Length} values cannot fill a tensor of shape {FormatShape(_shape)}.");
        }
        if (Device.Gpu is { } gpu)
        {
            gpu.Upload(values, DeviceView);
        }
        else
        {
            values.CopyTo(Span);
        }
    }

    /// <summary>
    /// Overwrites every element with those of <paramref name="source"/> (same size, same device): on a GPU a copy
    /// queued on the device like a kernel (nothing waits).
    /// </summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Size != Size)
        {
            throw new ArgumentException($"A tensor of shape {FormatShape(source._shape)} cannot fill one of shape {FormatShape(_shape)}.");
        }
        if (Device.Common("CopyFrom", this, source).Gpu is { } gpu)
        {
            gpu.Copy(source.DeviceView, DeviceView);
        }
        else
        {
            source.Span.CopyTo(Span);
        }
    }

    /// <summary>Copies every element into <paramref name="destination"/> (same size), wherever the tensor is: the inverse of <see cref="CopyFrom(ReadOnlySpan{float})"/>.</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length != Size)
        {
            throw new ArgumentException($"{destination.Length} values cannot receive a tensor of shape {FormatShape(_shape)}.");
        }
        if (Device.Gpu is { } gpu)
        {
            gpu.Download(DeviceView, destination);
        }
        else
        {
            Span.CopyTo(destination);
        }
    }

    /// <summary>The element at a multi-dimensional index (slow; for tests and the debugger; CPU tensors only).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get => Data[Offset + FlatIndex(index)];
        set => Data[Offset + FlatIndex(index)] = value;
    }

    /// <summary>A copy of the elements in a new array (downloaded from a GPU device, which waits for its kernels).</summary>
    public float[] ToArray() => Device.Gpu is { } gpu ? gpu.Download(DeviceView) : Span.ToArray();

    /// <summary>The single value of a one-element tensor (downloaded from a GPU device).</summary>
    public float Item()
    {
        if (Size != 1)
        {
            throw new InvalidOperationException($"Item() needs a tensor with one element, not shape {FormatShape(_shape)}.");
        }
        return Device.IsHost ? Data[Offset] : ToArray()[0];
    }

    /// <summary>Runs reverse-mode differentiation from this scalar; gradients accumulate into each leaf's <see cref="Grad"/>.</summary>
    public void Backward() => Autograd.Backward.Run(this);

    private int FlatIndex(int[] index)
    {
        if (index.Length != _shape.Length)
        {
            throw new ArgumentException($"An index of rank {index.Length} does not fit shape {FormatShape(_shape)}.");
        }
        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            if ((uint)index[d] >= (uint)_shape[d])
            {
                throw new IndexOutOfRangeException($"Index {index[d]} is outside dimension {d} of shape {FormatShape(_shape)}.");
            }
            flat = flat * _shape[d] + index[d];
        }
        return flat;
    }

    /// <summary>Product of the dimensions; rejects negative sizes and overflow.</summary>
    public static int ShapeSize(ReadOnlySpan<int> shape)
    {
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape {FormatShape(shape)} has a negative dimension.");
            }
            size *= d;
            if (size > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {FormatShape(shape)} has more elements than an array can hold.");
            }
        }
        return (int)size;
    }

    /// <summary>Fills in one -1 dimension and checks that the element count matches.</summary>
    internal static int[] ResolveShape(int[] shape, int size)
    {
        var resolved = (int[])shape.Clone();
        int inferred = Array.IndexOf(resolved, -1);
        if (inferred >= 0)
        {
            int known = 1;
            for (int d = 0; d < resolved.Length; d++)
            {
                if (d != inferred)
                {
                    known *= resolved[d];
                }
            }
            resolved[inferred] = known == 0 ? 0 : size / known;
        }
        if (ShapeSize(resolved) != size)
        {
            throw new ArgumentException($"Cannot view {size} elements as shape {FormatShape(shape)}.");
        }
        return resolved;
    }

    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        var text = new StringBuilder("[");
        for (int d = 0; d < shape.Length; d++)
        {
            text.Append(d == 0 ? "" : ", ").Append(shape[d]);
        }
        return text.Append(']').ToString();
    }

    public override string ToString() => DebuggerText;

    /// <summary>The name, or the shape, for error messages.</summary>
    private string Describe() => Name is null ? FormatShape(_shape) : $"'{Name}' {FormatShape(_shape)}";

    private InvalidOperationException NotInHostMemory() => IsReleased
        ? new InvalidOperationException($"Tensor {Describe()} was released: its TensorScope has ended.")
        : new InvalidOperationException(
            $"Tensor {Describe()} is on device {Device.Name}: its elements are not in host memory. Call ToArray() or To(Device.Cpu) to read them.");

    internal string DebuggerText
    {
        get
        {
            var text = new StringBuilder();
            if (Name is not null)
            {
                text.Append(Name).Append(' ');
            }
            text.Append(FormatShape(_shape)).Append(' ').Append(Device.Name);
            if (RequiresGrad)
            {
                text.Append(" grad");
            }
            if (IsReleased)
            {
                return text.Append(" (released)").ToString();
            }
            text.Append(" {");
            int preview = Math.Min(Size, 6);
            // A GPU tensor's preview is downloaded (which waits for the queued kernels).
            ReadOnlySpan<float> values = _buffer is not null ? Device.Gpu!.Download(DeviceView.SubView(0, preview)) : Span[..preview];
            for (int i = 0; i < preview; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(values[i].ToString("G5", CultureInfo.InvariantCulture));
            }
            return text.Append(Size > preview ? ", …}" : "}").ToString();
        }
    }
}

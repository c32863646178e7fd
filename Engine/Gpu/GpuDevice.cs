using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// One ILGPU accelerator with every kernel of the engine compiled for it: the entry point of the GPU path.
/// Pick it by name — <c>cuda</c>, <c>opencl</c> or <c>ilgpu-cpu</c> (ILGPU's CPU emulation, slow, for tests).
/// Kernels run in order on the accelerator's default stream; <see cref="Download"/> waits for them.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    /// <summary>The accelerator names <see cref="Open"/> understands.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cuda", "opencl", "ilgpu-cpu"];

    /// <summary>Largest group used by the one-group-per-row kernels and the column sums (GEMM uses a quarter of it).</summary>
    internal const int MaxGroupSize = 256;

    private readonly Context _context;

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The name this device was opened with (<c>cuda</c>, <c>opencl</c> or <c>ilgpu-cpu</c>).</summary>
    public string Name { get; }

    /// <summary>The compiled kernels, loaded once when the device opens.</summary>
    internal GpuKernels Kernels { get; }

    /// <summary>Launches, waits, allocations and uploads so far on this accelerator.</summary>
    public GpuCounters Counters { get; } = new();

    /// <summary>The kernel launched last on this accelerator (by this thread), or null: where a device error most likely arose.</summary>
    public string? LastKernel { get; private set; }

    /// <summary>The accelerator this thread launched a kernel on last, for error messages (<see cref="GpuFailure"/>).</summary>
    [field: ThreadStatic]
    internal static GpuDevice? LastActive { get; private set; }

    /// <summary>Counts a launch of <paramref name="kernel"/> and remembers it.</summary>
    internal void NoteLaunch(string kernel)
    {
        Counters.CountLaunch();
        LastKernel = kernel;
        LastActive = this;
    }

    /// <summary>Threads per group of the kernels that give one group to each row (softmax, layer norm, ...).</summary>
    internal int RowGroupSize { get; }

    /// <summary>Most groups that one <see cref="GpuLastGroup"/> reduction may count (one counter each).</summary>
    internal const int GroupCounterCount = 1024;

    /// <summary>Zeros between launches: the counters of <see cref="GpuLastGroup"/> (allocated once, when the device opens).</summary>
    internal ArrayView<int> GroupCounters => _groupCounters.View;

    private readonly MemoryBuffer1D<int, Stride1D.Dense> _groupCounters;

    private MemoryBuffer1D<float, Stride1D.Dense>? _scratch;

    /// <summary>
    /// How many groups a launch should have to fill the accelerator (4 per multiprocessor): split-K GEMMs and column
    /// sums split their work until they reach it. Settable so that tests can force the splits on a small accelerator.
    /// </summary>
    internal int TargetGroups { get; set; }

    /// <summary>
    /// A device buffer of at least <paramref name="length"/> floats for one launch's partial results (split-K
    /// products, column-sum chunks). Launches run one after another, so they share it; it only grows (waiting for the
    /// queued launches before the old one is freed), so a warm step allocates nothing.
    /// </summary>
    internal ArrayView<float> Scratch(long length)
    {
        if (_scratch is null || _scratch.Length < length)
        {
            if (_scratch is not null)
            {
                Synchronize();
                _scratch.Dispose();
            }
            _scratch = Allocate<float>((int)Math.Max(length, 1 << 16));
        }
        return _scratch.View.SubView(0, length);
    }

    /// <summary>
    /// GEMM uses square groups of <c>GemmThreadsPerSide²</c> threads, each computing an 8×8 micro-tile: a quarter of
    /// the row group (8×8 = 64 threads on a GPU, 2×2 on ILGPU's CPU accelerator).
    /// </summary>
    internal int GemmThreadsPerSide { get; }

    private GpuDevice(Context context, Accelerator accelerator, string name)
    {
        _context = context;
        Accelerator = accelerator;
        Name = name;
        RowGroupSize = Math.Min(MaxGroupSize, accelerator.MaxNumThreadsPerGroup);
        GemmThreadsPerSide = (int)Math.Sqrt(RowGroupSize / 4);
        TargetGroups = 4 * accelerator.NumMultiprocessors;
        _groupCounters = accelerator.Allocate1D<int>(GroupCounterCount);
        _groupCounters.MemSetToZero();
        Kernels = new GpuKernels(accelerator, this);
    }

    /// <summary>
    /// Opens the accelerator called <paramref name="name"/> (see <see cref="Names"/>); with several of that kind, number
    /// <paramref name="ordinal"/> modulo their count (a process of a data-parallel job passes its local rank).
    /// Throws <see cref="ArgumentException"/> for an unknown name and <see cref="InvalidOperationException"/>
    /// listing the accelerators found when the requested kind is not present.
    /// </summary>
    public static GpuDevice Open(string name, int ordinal = 0)
    {
        var kind = KindOf(name);
        var context = CreateContext();
        try
        {
            var devices = context.Devices.Where(d => d.AcceleratorType == kind).ToList();
            if (devices.Count == 0)
            {
                throw new InvalidOperationException(
                    $"No '{name}' accelerator was found. Accelerators present: {Describe(context)}." +
                    (kind == AcceleratorType.Cuda ? " " + CudaDriverProbe.Explain() : ""));
            }
            var device = devices[ordinal % devices.Count];
            return new GpuDevice(context, device.CreateAccelerator(context), name);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator with a chosen geometry, e.g. 32-thread warps and 256-thread groups to run the kernels
    /// with the group shapes they get on a CUDA GPU (slow: one OS thread per kernel thread).
    /// </summary>
    internal static GpuDevice OpenCpu(int warpSize, int warpsPerGroup)
    {
        var context = CreateContext();
        try
        {
            var cpu = new CPUDevice(warpSize, warpsPerGroup, numMultiprocessors: 1);
            return new GpuDevice(context, cpu.CreateAccelerator(context), "ilgpu-cpu");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The accelerators present on this machine, as "name (device)" lines for <c>--device</c> help.</summary>
    public static IReadOnlyList<string> Available()
    {
        using var context = CreateContext();
        return ListDevices(context);
    }

    /// <summary>A device buffer of <paramref name="length"/> elements (contents undefined).</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(int length) where T : unmanaged
    {
        Counters.CountAllocation();
        return Accelerator.Allocate1D<T>(length);
    }

    /// <summary>A device buffer of <paramref name="length"/> zeros.</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> AllocateZeros<T>(int length) where T : unmanaged
    {
        var buffer = Allocate<T>(length);
        buffer.MemSetToZero();
        return buffer;
    }

    /// <summary>A device buffer holding a copy of <paramref name="values"/>.</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var buffer = Allocate<T>(values.Length);
        Upload(values, buffer.View);
        return buffer;
    }

    /// <summary>
    /// Copies <paramref name="values"/> into <paramref name="destination"/> (same length). The host memory is pinned for
    /// the whole copy: ILGPU's <c>ref</c> overload turns the reference into a raw pointer and allocates before it copies,
    /// so a compacting garbage collection in between would move an unpinned array and the copy would read its old place.
    /// </summary>
    public unsafe void Upload<T>(ReadOnlySpan<T> values, ArrayView<T> destination) where T : unmanaged
    {
        CheckLength(values.Length, destination.Length, "upload");
        Counters.CountUpload();
        if (values.Length > 0)
        {
            fixed (T* source = values)
            {
                destination.CopyFromCPU(ref *source, values.Length);
            }
        }
    }

    /// <summary>
    /// Uploads row indices (token ids, targets) after checking each lies in [0, <paramref name="limit"/>) or equals
    /// <paramref name="allowed"/>: kernels cannot throw, so bad indices are rejected here with their position.
    /// </summary>
    public MemoryBuffer1D<int, Stride1D.Dense> UploadIndices(ReadOnlySpan<int> indices, int limit, string what, int? allowed = null)
    {
        CheckIndices(indices, limit, what, allowed);
        return Upload(indices);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for the first index outside [0, limit) that is not <paramref name="allowed"/>.</summary>
    internal static void CheckIndices(ReadOnlySpan<int> indices, int limit, string what, int? allowed)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)limit && indices[i] != allowed)
            {
                throw new ArgumentOutOfRangeException(nameof(indices),
                    $"{what}: value {indices[i]} at position {i} is outside [0, {limit}){(allowed is null ? "" : $" and is not {allowed}")}.");
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> on the device (same length), queued after
    /// the kernels before it; counted as a launch.
    /// </summary>
    public void Copy<T>(ArrayView<T> source, ArrayView<T> destination) where T : unmanaged
    {
        CheckLength(source.Length, destination.Length, "copy");
        Counters.CountLaunch();
        if (source.Length > 0)
        {
            source.CopyTo(Accelerator.DefaultStream, destination);
        }
    }

    /// <summary>
    /// Waits for the queued kernels and copies <paramref name="source"/> into <paramref name="destination"/>, pinned for
    /// the whole copy (see <see cref="Upload{T}(ReadOnlySpan{T}, ArrayView{T})"/>: unpinned, a garbage collection during
    /// the copy left the array as it was, and the copy wrote into whatever the collector had put at its old place).
    /// </summary>
    public unsafe void Download<T>(ArrayView<T> source, Span<T> destination) where T : unmanaged
    {
        CheckLength(destination.Length, source.Length, "download");
        Synchronize();
        if (destination.Length > 0)
        {
            fixed (T* target = destination)
            {
                source.CopyToCPU(ref *target, destination.Length);
            }
        }
    }

    /// <summary>Waits for the queued kernels and returns a copy of <paramref name="source"/>.</summary>
    public T[] Download<T>(ArrayView<T> source) where T : unmanaged
    {
        var values = new T[source.Length];
        Download(source, values);
        return values;
    }

    /// <summary>Blocks until every queued kernel has finished.</summary>
    public void Synchronize()
    {
        Counters.CountSynchronization();
        Accelerator.Synchronize();
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }

    public override string ToString() => $"{Name} ({Accelerator.Name})";

    /// <summary>
    /// The ILGPU context every device opens in: ILGPU.Algorithms (XMath) and optimization level O2. O2 adds
    /// address-space inference, which turns accesses through kernel views into global-memory instructions (the GEMM's
    /// quads become <c>ld.global.v4.f32</c> rather than the generic <c>ld.v4.f32</c>), loop-invariant code motion and
    /// the unrolling of loops with a known trip count. <c>GpuPtxCompilationTests</c> compiles every kernel with it.
    /// </summary>
    internal static Context CreateContext() =>
        Context.Create(builder => builder.Default().EnableAlgorithms().Optimize(OptimizationLevel.O2));

    private static AcceleratorType KindOf(string name) => name switch
    {
        "cuda" => AcceleratorType.Cuda,
        "opencl" => AcceleratorType.OpenCL,
        "ilgpu-cpu" => AcceleratorType.CPU,
        _ => throw new ArgumentException($"Unknown GPU device '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
    };

    private static string NameOf(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => "cuda",
        AcceleratorType.OpenCL => "opencl",
        _ => "ilgpu-cpu",
    };

    private static List<string> ListDevices(Context context) =>
        context.Devices.Select(d => $"{NameOf(d.AcceleratorType)} ({d.Name})").ToList();

    private static string Describe(Context context)
    {
        var found = ListDevices(context);
        return found.Count == 0 ? "none" : string.Join(", ", found);
    }

    private static void CheckLength(long hostLength, long deviceLength, string what)
    {
        if (hostLength != deviceLength)
        {
            throw new ArgumentException($"GPU {what}: the host span has {hostLength} elements but the device view has {deviceLength}.");
        }
    }
}

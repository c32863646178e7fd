namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// What the host has asked of one accelerator since it opened, counted: kernel launches (a device-to-device copy
/// counts as one), waits for the device
/// (each download waits), device allocations and uploads. A step's cost on a real GPU is often these, not the
/// arithmetic; they can be counted on <c>ilgpu-cpu</c> without a GPU (docs/gpu.md has the counts per training step).
/// </summary>
public sealed class GpuCounters
{
    private long _launches;
    private long _synchronizations;
    private long _allocations;
    private long _uploads;

    /// <summary>The counts so far.</summary>
    public GpuCounts Read() => new(Interlocked.Read(ref _launches), Interlocked.Read(ref _synchronizations),
        Interlocked.Read(ref _allocations), Interlocked.Read(ref _uploads));

    internal void CountLaunch() => Interlocked.Increment(ref _launches);

    internal void CountSynchronization() => Interlocked.Increment(ref _synchronizations);

    internal void CountAllocation() => Interlocked.Increment(ref _allocations);

    internal void CountUpload() => Interlocked.Increment(ref _uploads);
}

/// <summary>A reading of <see cref="GpuCounters"/>; subtract two readings for what happened between them.</summary>
public readonly record struct GpuCounts(long Launches, long Synchronizations, long Allocations, long Uploads)
{
    public static GpuCounts operator -(GpuCounts later, GpuCounts earlier) => new(
        later.Launches - earlier.Launches, later.Synchronizations - earlier.Synchronizations,
        later.Allocations - earlier.Allocations, later.Uploads - earlier.Uploads);
}

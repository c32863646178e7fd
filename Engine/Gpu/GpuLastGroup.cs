using ILGPU;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// A reduction over every group of a launch, finished inside the same launch: each group writes its partial results,
/// then counts itself done on a device counter; the group that counts last reads every group's results and combines
/// them in a fixed order (deterministic), so no second launch is needed. The counter starts at zero and the last
/// group sets it back to zero for the next launch (launches run one after another on the one stream).
/// <para>
/// Memory: each writing thread fences (device level) before its group counts itself, and the last group reads the
/// others' results with atomic no-ops (<see cref="Read"/>), which are served by the device-wide cache: no stale
/// per-multiprocessor cache line can be seen, whatever the backend's default load caching.
/// </para>
/// </summary>
internal static class GpuLastGroup
{
    /// <summary>
    /// After this group's results are written: true in every thread of the group that finishes last among
    /// <paramref name="groups"/> groups sharing <paramref name="counter"/>. All threads of the group must call it.
    /// </summary>
    public static bool IsLast(ref int counter, int groups)
    {
        var last = SharedMemory.Allocate<int>(1);
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (Group.IsFirstThread)
        {
            int done = Atomic.Add(ref counter, 1) + 1;
            if (done == groups)
            {
                Atomic.Exchange(ref counter, 0);
            }
            last[0] = done == groups ? 1 : 0;
        }
        Group.Barrier();
        return last[0] != 0;
    }

    /// <summary>view[i] as another group of this launch wrote it (an atomic OR with 0 on its bits).</summary>
    public static float Read(ArrayView<int> view, long i) => Interop.IntAsFloat((uint)Atomic.Or(ref view[i], 0));
}

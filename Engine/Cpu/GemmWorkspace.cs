using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// The packing buffers of one thread, kept between calls so that a GEMM allocates nothing once warm.
/// Arrays live on the pinned object heap, so the pointers handed out stay valid; they are aligned to 64 bytes.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic] private static GemmWorkspace? _current;

    private float[] _packedA = [];
    private float[] _packedB = [];

    /// <summary>The calling thread's workspace.</summary>
    public static GemmWorkspace Current => _current ??= new GemmWorkspace();

    /// <summary>A buffer of at least <paramref name="floats"/> floats for packed panels of A.</summary>
    public float* PackedA(long floats) => Aligned(ref _packedA, floats);

    /// <summary>A buffer of at least <paramref name="floats"/> floats for packed panels of B.</summary>
    public float* PackedB(long floats) => Aligned(ref _packedB, floats);

    private static float* Aligned(ref float[] buffer, long floats)
    {
        const int AlignFloats = 16; // 64 bytes
        if (buffer.Length < floats + AlignFloats)
        {
            buffer = GC.AllocateUninitializedArray<float>(checked((int)(floats + AlignFloats)), pinned: true);
        }
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((start + 63) & ~(nint)63);
    }
}

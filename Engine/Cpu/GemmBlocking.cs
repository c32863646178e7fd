namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Block sizes of the packed GEMM. The loop nest walks C in NC-wide column blocks, k in KC-deep slices and
/// A in MC-tall row blocks; each block of C is covered by MR × NR register tiles computed by the micro-kernel.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Rows of the register tile: 6 rows × 2 vectors = 12 accumulators, + 2 B vectors + 1 A broadcast = 15 of 16 ymm registers.</summary>
    public const int MR = 6;

    /// <summary>Columns of the register tile: two <c>Vector256&lt;float&gt;</c>.</summary>
    public const int NR = 16;

    /// <summary>Depth of one k slice: a KC × NR panel of packed B (16 KiB) stays in the 32 KiB L1 cache.</summary>
    public const int KC = 256;

    /// <summary>Rows of A packed at once: the MC × KC block of packed A (144 KiB) stays in the core's L2 cache.</summary>
    public const int MC = 144;

    /// <summary>Columns of C per outer block: bounds the packed B buffer at KC × NC floats (4 MiB, inside L3).</summary>
    public const int NC = 4096;

    /// <summary>Below this many multiply-adds (m·n·k) a product runs on the calling thread: threads would cost more than they save.</summary>
    public const long ParallelThreshold = 1L << 21;
}

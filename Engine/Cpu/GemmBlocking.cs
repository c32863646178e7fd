namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Block sizes of the packed GEMM. The loop nest walks C in NC-wide column blocks, k in KC-deep slices and
/// A in MC-tall row blocks; each block of C is covered by MR × NR register tiles computed by the micro-kernel.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>
    /// Rows of the register tile. The AVX-512 kernel holds 6 rows × 2 <c>Vector512&lt;float&gt;</c> = 12 accumulators;
    /// the AVX2 kernel covers the tile as two 6 × 16 halves, 12 <c>Vector256&lt;float&gt;</c> each (+ 2 B vectors
    /// + 1 A broadcast = 15 of its 16 ymm registers).
    /// </summary>
    public const int MR = 6;

    /// <summary>Columns of the register tile: two <c>Vector512&lt;float&gt;</c>, or four <c>Vector256&lt;float&gt;</c>.</summary>
    public const int NR = 32;

    /// <summary>Depth of one k slice: a KC × NR panel of packed B (32 KiB) stays in the 48 KiB L1 cache of a Zen 5
    /// (on a 32 KiB L1 the AVX2 kernel reads one 16-column half at a time, 16 KiB).</summary>
    public const int KC = 256;

    /// <summary>Rows of A packed at once: the MC × KC block of packed A (144 KiB) stays in the core's L2 cache.</summary>
    public const int MC = 144;

    /// <summary>Columns of C per outer block: bounds the packed B buffer at KC × NC floats (4 MiB, inside L3).</summary>
    public const int NC = 4096;

    /// <summary>Below this many multiply-adds (m·n·k) a product runs on the calling thread: threads would cost more than they save.</summary>
    public const long ParallelThreshold = 1L << 21;
}

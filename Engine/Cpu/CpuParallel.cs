namespace MiniBioBert.Engine.Cpu;

/// <summary>
/// Splits a loop over rows into a few contiguous blocks run on all cores — or runs it inline when the
/// work is too small to pay for threads. Every CPU kernel parallelises through here.
/// </summary>
public static class CpuParallel
{
    /// <summary>Below this many floating-point operations a loop runs on the calling thread.</summary>
    private const long SerialWorkLimit = 1 << 15;

    /// <summary>Number of threads kernels use (defaults to all cores).</summary>
    public static int ThreadCount { get; set; } = Environment.ProcessorCount;

    /// <summary>Options that cap a <c>Parallel.For</c> at <see cref="ThreadCount"/> threads.</summary>
    public static ParallelOptions Options => new() { MaxDegreeOfParallelism = ThreadCount };

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, <paramref name="rows"/>) split into blocks.</summary>
    /// <param name="workPerRow">Rough cost of one row in operations, to decide whether threads pay off.</param>
    public static void ForRows(int rows, long workPerRow, Action<int, int> body)
    {
        int threads = ThreadCount;
        if (threads <= 1 || rows < 2 || rows * workPerRow < SerialWorkLimit)
        {
            body(0, rows);
            return;
        }
        int blocks = Math.Min(rows, threads * 4);
        Parallel.For(0, blocks, Options, block =>
        {
            int start = (int)((long)rows * block / blocks);
            int end = (int)((long)rows * (block + 1) / blocks);
            body(start, end);
        });
    }

    /// <summary>Width of the column blocks of <see cref="ForColumnBlocks"/> (four Vector256 registers).</summary>
    public const int ColumnBlockWidth = 32;

    /// <summary>
    /// Runs <paramref name="body"/>(firstColumn, width) over blocks of columns of a [rows, columns] matrix, so that
    /// column reductions (bias gradients) are summed row by row in a fixed order: deterministic results on any thread count.
    /// </summary>
    public static void ForColumnBlocks(int columns, int rows, Action<int, int> body)
    {
        int blocks = (columns + ColumnBlockWidth - 1) / ColumnBlockWidth;
        ForRows(blocks, 2L * rows * ColumnBlockWidth, (startBlock, endBlock) =>
        {
            for (int block = startBlock; block < endBlock; block++)
            {
                int first = block * ColumnBlockWidth;
                body(first, Math.Min(ColumnBlockWidth, columns - first));
            }
        });
    }
}

using System.Buffers;
using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Sums over the leading dimensions, as broadcasting's backward and bias gradients need.</summary>
public static class ReductionKernels
{
    /// <summary>Rows are cut into at most this many chunks for column reductions, whatever the thread count.</summary>
    private const int RowChunks = 32;

    /// <summary>Adds one chunk's rows [startRow, endRow) into <paramref name="partial"/>.</summary>
    public delegate void RowChunkAccumulator(int startRow, int endRow, Span<float> partial);

    /// <summary>
    /// destination += Σ over all rows of what <paramref name="accumulate"/> adds per row. The rows are cut into a
    /// fixed number of contiguous chunks (the same on any number of threads); each chunk streams through its rows
    /// into its own partial vector, and the partials are added in chunk order — fast and deterministic.
    /// </summary>
    public static void AccumulateOverRowChunks(int rows, long workPerRow, Memory<float> destination, RowChunkAccumulator accumulate)
    {
        int width = destination.Length;
        int chunks = Math.Max(1, Math.Min(rows, RowChunks));
        var partials = ArrayPool<float>.Shared.Rent(chunks * width);
        Array.Clear(partials, 0, chunks * width);
        CpuParallel.ForRows(chunks, workPerRow * rows / chunks, (firstChunk, endChunk) =>
        {
            for (int chunk = firstChunk; chunk < endChunk; chunk++)
            {
                int startRow = (int)((long)rows * chunk / chunks);
                int endRow = (int)((long)rows * (chunk + 1) / chunks);
                accumulate(startRow, endRow, partials.AsSpan(chunk * width, width));
            }
        });
        var sums = destination.Span;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            TensorPrimitives.Add(sums, partials.AsSpan(chunk * width, width), sums);
        }
        ArrayPool<float>.Shared.Return(partials);
    }

    /// <summary>destination[c] += Σ_r source[r, c] for a [rows, columns] source, in a fixed order.</summary>
    public static void AddColumnSums(ReadOnlyMemory<float> source, Memory<float> destination, int columns) =>
        AccumulateOverRowChunks(source.Length / columns, columns, destination, (startRow, endRow, partial) =>
        {
            for (int r = startRow; r < endRow; r++)
            {
                TensorPrimitives.Add(partial, source.Span.Slice(r * columns, columns), partial);
            }
        });

    /// <summary>destination[c] += Σ_r a[r, c]·b[r, c] for [rows, columns] inputs, in a fixed order.</summary>
    public static void AddColumnSumsOfProducts(ReadOnlyMemory<float> a, ReadOnlyMemory<float> b, Memory<float> destination, int columns) =>
        AccumulateOverRowChunks(a.Length / columns, 2L * columns, destination, (startRow, endRow, partial) =>
        {
            for (int r = startRow; r < endRow; r++)
            {
                TensorPrimitives.MultiplyAdd(a.Span.Slice(r * columns, columns), b.Span.Slice(r * columns, columns), partial, partial);
            }
        });

    /// <summary>Σ x accumulated in double (a scalar loss over millions of elements must not drift).</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        double total = 0;
        const int Chunk = 4096;
        for (int start = 0; start < x.Length; start += Chunk)
        {
            total += TensorPrimitives.Sum(x.Slice(start, Math.Min(Chunk, x.Length - start)));
        }
        return total;
    }
}

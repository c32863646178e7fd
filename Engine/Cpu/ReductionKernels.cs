using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Sums over the leading dimensions, as broadcasting's backward and bias gradients need.</summary>
internal static class ReductionKernels
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

    /// <summary>Floats per parallel work item (128 KiB): big enough to amortise scheduling, small enough to balance.</summary>
    private const int SumOfSquaresChunkLength = 1 << 15;

    /// <summary>
    /// Σ xᵢ² over a whole flat buffer (the optimizer's gradient norm), accumulated in double: per chunk of
    /// <see cref="SumOfSquaresChunkLength"/> in 8 double lanes, the chunks in parallel, then their sums in chunk order, so
    /// the result does not depend on thread scheduling.
    /// </summary>
    public static double SumOfSquares(ReadOnlyMemory<float> buffer)
    {
        int chunkCount = (buffer.Length + SumOfSquaresChunkLength - 1) / SumOfSquaresChunkLength;
        if (chunkCount <= 1)
        {
            return SumOfSquares(buffer.Span);
        }

        double[] partials = ArrayPool<double>.Shared.Rent(chunkCount);
        try
        {
            Parallel.For(0, chunkCount, CpuParallel.Options, chunk => partials[chunk] = SumOfSquares(Chunk(buffer, chunk)));
            double sum = 0;
            for (int chunk = 0; chunk < chunkCount; chunk++)
            {
                sum += partials[chunk];
            }
            return sum;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(partials);
        }
    }

    private static ReadOnlySpan<float> Chunk(ReadOnlyMemory<float> buffer, int chunk)
    {
        int start = chunk * SumOfSquaresChunkLength;
        return buffer.Span.Slice(start, Math.Min(SumOfSquaresChunkLength, buffer.Length - start));
    }

    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        var low = Vector256<double>.Zero;
        var high = Vector256<double>.Zero;
        int i = 0;
        for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            // 8 floats widen exactly to 2 × 4 doubles; squares and sums stay in double.
            var (lowHalf, highHalf) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
            low += lowHalf * lowHalf;
            high += highHalf * highHalf;
        }
        double sum = Vector256.Sum(low + high);
        for (; i < values.Length; i++)
        {
            double x = Unsafe.Add(ref start, i);
            sum += x * x;
        }
        return sum;
    }
}

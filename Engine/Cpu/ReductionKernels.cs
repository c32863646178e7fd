using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Sums over the leading dimensions, as broadcasting's backward and bias gradients need.</summary>
public static class ReductionKernels
{
    /// <summary>destination[c] += Σ_r source[r, c] for a [rows, columns] source, in a fixed order.</summary>
    public static void AddColumnSums(ReadOnlyMemory<float> source, Memory<float> destination, int columns)
    {
        int rows = source.Length / columns;
        CpuParallel.ForColumnBlocks(columns, rows, (first, width) =>
        {
            var sums = destination.Span.Slice(first, width);
            for (int r = 0; r < rows; r++)
            {
                TensorPrimitives.Add(sums, source.Span.Slice(r * columns + first, width), sums);
            }
        });
    }

    /// <summary>destination[c] += Σ_r a[r, c]·b[r, c] for [rows, columns] inputs, in a fixed order.</summary>
    public static void AddColumnSumsOfProducts(ReadOnlyMemory<float> a, ReadOnlyMemory<float> b, Memory<float> destination, int columns)
    {
        int rows = a.Length / columns;
        CpuParallel.ForColumnBlocks(columns, rows, (first, width) =>
        {
            var sums = destination.Span.Slice(first, width);
            for (int r = 0; r < rows; r++)
            {
                TensorPrimitives.MultiplyAdd(a.Span.Slice(r * columns + first, width), b.Span.Slice(r * columns + first, width), sums, sums);
            }
        });
    }

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

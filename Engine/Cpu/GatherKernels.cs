using System.Numerics.Tensors;

namespace MiniBioBert.Engine.Cpu;

/// <summary>Row lookups (embedding tables, masked positions) and their backward, a scatter-add.</summary>
internal static class GatherKernels
{
    /// <summary>output[i, :] = table[indices[i], :].</summary>
    public static void GatherRows(ReadOnlyMemory<float> table, ReadOnlyMemory<int> indices, Memory<float> output, int columns)
    {
        int tableRows = table.Length / columns;
        var ids = indices.Span;
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)tableRows)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {ids[i]} at position {i} is outside the {tableRows} rows of the table.");
            }
        }
        CpuParallel.ForRows(ids.Length, columns, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                table.Span.Slice(indices.Span[i] * columns, columns).CopyTo(output.Span.Slice(i * columns, columns));
            }
        });
    }

    /// <summary>
    /// tableGrad[indices[i], :] += outputGrad[i, :]. Repeated indices add up. Column blocks run in parallel and each
    /// walks the rows in order, so the sums are deterministic.
    /// </summary>
    public static void ScatterAddRows(ReadOnlyMemory<float> outputGrad, ReadOnlyMemory<int> indices, Memory<float> tableGrad, int columns)
    {
        int count = indices.Length;
        CpuParallel.ForColumnBlocks(columns, count, (first, width) =>
        {
            for (int i = 0; i < count; i++)
            {
                var destination = tableGrad.Span.Slice(indices.Span[i] * columns + first, width);
                TensorPrimitives.Add(destination, outputGrad.Span.Slice(i * columns + first, width), destination);
            }
        });
    }
}

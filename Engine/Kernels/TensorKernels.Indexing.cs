using System.Numerics.Tensors;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Reference;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>output[i, :] = source[indices[i], :] for a source of rows of <paramref name="columns"/>.</summary>
    public static void GatherRows(Tensor source, int[] indices, Tensor output, int columns)
    {
        if (source.Device.IsReference)
        {
            ReferenceKernels.GatherRows(source, indices, output, columns);
            return;
        }
        if (source.Device.Gpu is { } gpu)
        {
            GpuGather.GatherRows(gpu, source.DeviceView, RowIndices(indices, source, columns), output.DeviceView, columns);
        }
        else
        {
            GatherKernels.GatherRows(source.Memory, indices, output.Memory, columns);
        }
    }

    /// <summary>
    /// destination[indices[i], :] += source[i, :]. On a GPU repeated indices add up with atomics, in an order that
    /// varies from run to run (the last bits of such rows may differ between runs).
    /// </summary>
    public static void ScatterAddRows(Tensor source, int[] indices, Tensor destination, int columns)
    {
        if (source.Device.IsReference)
        {
            ReferenceKernels.ScatterAddRows(source, indices, destination, columns);
            return;
        }
        if (source.Device.Gpu is { } gpu)
        {
            GpuGather.ScatterAddRows(gpu, source.DeviceView, RowIndices(indices, destination, columns), destination.DeviceView, columns);
        }
        else
        {
            GatherKernels.ScatterAddRows(source.Memory, indices, destination.Memory, columns);
        }
    }

    /// <summary>
    /// BERT's embedding sum: sum[r, :] = word[wordIds[r], :] + position[positionIds[r], :] + tokenType[tokenTypeIds[r], :]
    /// for rows of <paramref name="columns"/>, added in that order (on a GPU, one launch).
    /// </summary>
    public static void SumOfEmbeddings(Tensor word, int[] wordIds, Tensor position, int[] positionIds, Tensor tokenType, int[] tokenTypeIds,
        Tensor sum, int columns)
    {
        if (word.Device.IsReference)
        {
            ReferenceKernels.SumOfEmbeddings(word, wordIds, position, positionIds, tokenType, tokenTypeIds, sum, columns);
            return;
        }
        if (word.Device.Gpu is { } gpu)
        {
            GpuGather.SumOfRows(gpu, word.DeviceView, RowIndices(wordIds, word, columns), position.DeviceView, RowIndices(positionIds, position, columns),
                tokenType.DeviceView, RowIndices(tokenTypeIds, tokenType, columns), sum.DeviceView, columns);
            return;
        }
        GatherKernels.GatherRows(word.Memory, wordIds, sum.Memory, columns);
        var positionMemory = position.Memory;
        var tokenTypeMemory = tokenType.Memory;
        var sumMemory = sum.Memory;
        CpuParallel.ForRows(wordIds.Length, 2 * columns, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var row = sumMemory.Span.Slice(r * columns, columns);
                TensorPrimitives.Add(row, positionMemory.Span.Slice(positionIds[r] * columns, columns), row);
                TensorPrimitives.Add(row, tokenTypeMemory.Span.Slice(tokenTypeIds[r] * columns, columns), row);
            }
        });
    }

    /// <summary>
    /// The column of each row's largest value (the first on ties) of x [rows, columns], as a host array: on a GPU
    /// only these indices are downloaded.
    /// </summary>
    public static int[] ArgMaxRows(Tensor x) => [.. ArgMaxIndices(x).ToArray().Select(index => (int)index)];

    /// <summary>
    /// The arg-max column of every row of each tensor (all on one device; each [rows, its columns]), one tensor after
    /// the other, as floats in one tensor [Σ rows] on that device (exact: far fewer than 2²⁴ columns). Nothing is
    /// downloaded: a training step reads them with its other results, in one transfer.
    /// </summary>
    public static Tensor ArgMaxIndices(params Tensor[] tensors)
    {
        var device = Device.Common("ArgMaxRows", tensors);
        if (device.IsReference)
        {
            return ReferenceKernels.ArgMaxIndices(tensors);
        }
        int[] rows = [.. tensors.Select(x => x.Size / x.Dim(-1))];
        var indices = Tensor.Uninitialized(device, rows.Sum()); // [Σ rows]
        int start = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            var x = tensors[i];
            var destination = indices.Slice(start, rows[i]);
            if (device.Gpu is { } gpu)
            {
                GpuArgMax.Rows(gpu, x.DeviceView, destination.DeviceView, x.Dim(-1));
            }
            else
            {
                int[] found = ArgMaxRowsOnHost(x);
                for (int r = 0; r < found.Length; r++)
                {
                    destination.Span[r] = found[r];
                }
            }
            start += rows[i];
        }
        return indices;
    }

    private static int[] ArgMaxRowsOnHost(Tensor x)
    {
        int columns = x.Dim(-1);
        var values = x.Span;
        var result = new int[x.Size / columns];
        for (int r = 0; r < result.Length; r++)
        {
            result[r] = TensorPrimitives.IndexOfMax(values.Slice(r * columns, columns));
        }
        return result;
    }

    /// <summary>output (+)= input.permute(order); on a GPU the rank is at most 4.</summary>
    public static void Permute(Tensor input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> order, Tensor output, bool accumulate)
    {
        if (input.Device.IsReference)
        {
            ReferenceKernels.Permute(input, inputShape, order, output, accumulate);
            return;
        }
        if (input.Device.Gpu is { } gpu)
        {
            GpuPermute.Permute(gpu, input.DeviceView, inputShape, order, output.DeviceView, accumulate);
        }
        else
        {
            PermuteKernels.Permute(input.Memory, inputShape, order, output.Memory, accumulate);
        }
    }

    private static ILGPU.ArrayView<int> RowIndices(int[] indices, Tensor table, int columns) =>
        UploadIndices(table.Device, indices, table.Size / columns, "row index");
}

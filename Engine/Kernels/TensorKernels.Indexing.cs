using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Engine.Kernels;

public static partial class TensorKernels
{
    /// <summary>output[i, :] = source[indices[i], :] for a source of rows of <paramref name="columns"/>.</summary>
    public static void GatherRows(Tensor source, int[] indices, Tensor output, int columns)
    {
        if (source.Device.Gpu is { } gpu)
        {
            GpuGather.GatherRows(gpu, source.DeviceView, RowIndices(gpu, indices, source, columns), output.DeviceView, columns);
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
        if (source.Device.Gpu is { } gpu)
        {
            GpuGather.ScatterAddRows(gpu, source.DeviceView, RowIndices(gpu, indices, destination, columns), destination.DeviceView, columns);
        }
        else
        {
            GatherKernels.ScatterAddRows(source.Memory, indices, destination.Memory, columns);
        }
    }

    /// <summary>output (+)= input.permute(order); on a GPU the rank is at most 4.</summary>
    public static void Permute(Tensor input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> order, Tensor output, bool accumulate)
    {
        if (input.Device.Gpu is { } gpu)
        {
            GpuPermute.Permute(gpu, input.DeviceView, inputShape, order, output.DeviceView, accumulate);
        }
        else
        {
            PermuteKernels.Permute(input.Memory, inputShape, order, output.Memory, accumulate);
        }
    }

    private static ILGPU.ArrayView<int> RowIndices(GpuDevice gpu, int[] indices, Tensor table, int columns) =>
        UploadIndices(gpu, indices, table.Size / columns, "row index");
}

using ILGPU;
using ILGPU.Runtime;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Row lookups (embedding tables, masked positions) and their backward, as <see cref="Cpu.GatherKernels"/>.
/// Upload indices with <see cref="GpuDevice.UploadIndices"/>, which rejects out-of-range values: a kernel cannot
/// throw, so here an out-of-range index yields a NaN row (forward) or is skipped (backward) instead of a fault.
/// </summary>
internal static class GpuGather
{
    /// <summary>output[i, :] = table[indices[i], :]; table: [tableRows, columns], output: [|indices|, columns].</summary>
    public static void GatherRows(GpuDevice device, ArrayView<float> table, ArrayView<int> indices, ArrayView<float> output, int columns)
    {
        int tableRows = GpuChecks.Rows("GatherRows", "table", table, columns);
        GpuChecks.Length("GatherRows", "output", output, indices.Length * columns);
        if (output.Length > 0)
        {
            device.Kernels.GatherRows((int)output.Length, table, indices, output, tableRows, columns);
        }
    }

    /// <summary>
    /// tableGrad[indices[i], :] += outputGrad[i, :]. Repeated indices add up through atomic float additions, whose
    /// order varies between runs: the sums of a repeated row can differ in the last bits from run to run and from the CPU.
    /// On ILGPU's CPU accelerator the addition is a compare-exchange loop on the bit pattern
    /// (<see cref="AddAtomicallyByBits"/>): that accelerator's own float <c>Atomic.Add</c> compares floats and never
    /// finishes once the sum is NaN, which would hang a step with a non-finite gradient instead of reporting it.
    /// </summary>
    public static void ScatterAddRows(GpuDevice device, ArrayView<float> outputGrad, ArrayView<int> indices, ArrayView<float> tableGrad, int columns)
    {
        int tableRows = GpuChecks.Rows("ScatterAddRows", "tableGrad", tableGrad, columns);
        GpuChecks.Length("ScatterAddRows", "outputGrad", outputGrad, indices.Length * columns);
        if (outputGrad.Length > 0)
        {
            int addByBits = device.Accelerator.AcceleratorType == AcceleratorType.CPU ? 1 : 0;
            device.Kernels.ScatterAddRows((int)outputGrad.Length, outputGrad, indices, tableGrad, tableRows, columns, addByBits);
        }
    }

    /// <summary>
    /// sum[i, :] = word[wordIds[i], :] + position[positionIds[i], :] + tokenType[tokenTypeIds[i], :] (added in that
    /// order, as the CPU does), one thread per element; the tables have rows of <paramref name="columns"/>.
    /// </summary>
    public static void SumOfRows(GpuDevice device, ArrayView<float> word, ArrayView<int> wordIds, ArrayView<float> position,
        ArrayView<int> positionIds, ArrayView<float> tokenType, ArrayView<int> tokenTypeIds, ArrayView<float> sum, int columns)
    {
        var tableRows = new Index3D(GpuChecks.Rows("SumOfEmbeddings", "word", word, columns),
            GpuChecks.Rows("SumOfEmbeddings", "position", position, columns), GpuChecks.Rows("SumOfEmbeddings", "tokenType", tokenType, columns));
        GpuChecks.Length("SumOfEmbeddings", "sum", sum, wordIds.Length * columns);
        GpuChecks.Length("SumOfEmbeddings", "positionIds", positionIds, wordIds.Length);
        GpuChecks.Length("SumOfEmbeddings", "tokenTypeIds", tokenTypeIds, wordIds.Length);
        if (sum.Length > 0)
        {
            device.Kernels.SumOfEmbeddings((int)sum.Length, word, wordIds, position, positionIds, tokenType, tokenTypeIds, sum, tableRows, columns);
        }
    }

    internal static void SumOfRowsKernel(Index1D e, ArrayView<float> word, ArrayView<int> wordIds, ArrayView<float> position, ArrayView<int> positionIds,
        ArrayView<float> tokenType, ArrayView<int> tokenTypeIds, ArrayView<float> sum, Index3D tableRows, int columns)
    {
        int r = e / columns;
        int c = e % columns;
        sum[e] = Row(word, wordIds[r], tableRows.X, columns, c) + Row(position, positionIds[r], tableRows.Y, columns, c)
            + Row(tokenType, tokenTypeIds[r], tableRows.Z, columns, c);
    }

    /// <summary>table[index, c], or NaN for an index outside the table.</summary>
    private static float Row(ArrayView<float> table, int index, int tableRows, int columns, int c) =>
        (uint)index < (uint)tableRows ? table[(long)index * columns + c] : float.NaN;

    internal static void GatherKernel(Index1D e, ArrayView<float> table, ArrayView<int> indices, ArrayView<float> output, int tableRows, int columns)
    {
        output[e] = Row(table, indices[e / columns], tableRows, columns, e % columns);
    }

    internal static void ScatterAddKernel(Index1D e, ArrayView<float> outputGrad, ArrayView<int> indices, ArrayView<float> tableGrad, int tableRows, int columns,
        int addByBits)
    {
        int index = indices[e / columns];
        if ((uint)index >= (uint)tableRows)
        {
            return;
        }
        ref float target = ref tableGrad[(long)index * columns + e % columns];
        if (addByBits != 0)
        {
            AddAtomicallyByBits(ref target, outputGrad[e]);
        }
        else
        {
            Atomic.Add(ref target, outputGrad[e]);
        }
    }

    /// <summary>target += value atomically: retry the compare-exchange until the value it saw is, bit for bit, the one read.</summary>
    private static void AddAtomicallyByBits(ref float target, float value)
    {
        float current = target;
        while (true)
        {
            float seen = Atomic.CompareExchange(ref target, current, current + value);
            if (Interop.FloatAsInt(seen) == Interop.FloatAsInt(current))
            {
                return;
            }
            current = seen;
        }
    }
}

namespace MiniBioBert.Engine.Cpu;

/// <summary>Copies a tensor into a new dimension order (e.g. [B, T, H, D] → [B, H, T, D] for attention heads).</summary>
internal static class PermuteKernels
{
    /// <summary>
    /// output = input.permute(order): output dimension d is input dimension order[d].
    /// When <paramref name="accumulate"/> is set the values are added into output (used by the backward pass).
    /// The innermost dimension that stays innermost is copied as one contiguous run.
    /// </summary>
    public static void Permute(ReadOnlyMemory<float> input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> order, Memory<float> output, bool accumulate)
    {
        int rank = inputShape.Length;
        var inputStrides = new long[rank];
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            inputStrides[d] = stride;
            stride *= inputShape[d];
        }
        var outputShape = new int[rank];
        var strideOfOutputDim = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            outputShape[d] = inputShape[order[d]];
            strideOfOutputDim[d] = inputStrides[order[d]];
        }
        // Copy runs along the last output dimension; it is contiguous in the input when that stride is 1.
        int run = rank == 0 ? 1 : outputShape[rank - 1];
        long runStride = rank == 0 ? 1 : strideOfOutputDim[rank - 1];
        int runs = run == 0 ? 0 : (int)(input.Length / run);
        CpuParallel.ForRows(runs, run, (start, end) =>
        {
            var source = input.Span;
            var destination = output.Span;
            var index = new int[Math.Max(rank - 1, 0)];
            for (int r = start; r < end; r++)
            {
                // Decompose the run number r into the outer output indices.
                long offset = 0;
                int remainder = r;
                for (int d = rank - 2; d >= 0; d--)
                {
                    index[d] = remainder % outputShape[d];
                    remainder /= outputShape[d];
                    offset += index[d] * strideOfOutputDim[d];
                }
                var target = destination.Slice(r * run, run);
                for (int i = 0; i < run; i++)
                {
                    float value = source[(int)(offset + i * runStride)];
                    target[i] = accumulate ? target[i] + value : value;
                }
            }
        });
    }
}

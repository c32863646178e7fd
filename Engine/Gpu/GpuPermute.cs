using ILGPU;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Copies a tensor of rank ≤ 4 into a new dimension order, as <see cref="Cpu.PermuteKernels"/>
/// (e.g. [B, T, H, D] → [B, H, T, D] for attention heads). One thread per output element.
/// </summary>
internal static class GpuPermute
{
    /// <summary>The largest rank supported.</summary>
    public const int MaxRank = 4;

    /// <summary>
    /// output = input.permute(order): output dimension d is input dimension order[d]. With
    /// <paramref name="accumulate"/> the values are added into output. The backward of a permutation is the
    /// inverse permutation, accumulated: <c>Permute(dy, outputShape, inverse(order), dx, accumulate: true)</c>.
    /// </summary>
    public static void Permute(GpuDevice device, ArrayView<float> input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> order,
        ArrayView<float> output, bool accumulate)
    {
        int rank = inputShape.Length;
        if (rank > MaxRank || order.Length != rank)
        {
            throw new ArgumentException($"Permute: shape {Tensor.FormatShape(inputShape)} and order {Tensor.FormatShape(order)} must have the same rank, at most {MaxRank}.");
        }
        Span<bool> seen = stackalloc bool[rank];
        foreach (int d in order)
        {
            if ((uint)d >= (uint)rank || seen[d])
            {
                throw new ArgumentException($"Permute: order {Tensor.FormatShape(order)} is not a permutation of 0..{rank - 1}.");
            }
            seen[d] = true;
        }
        int size = Tensor.ShapeSize(inputShape);
        GpuChecks.Length("Permute", "input", input, size);
        GpuChecks.Length("Permute", "output", output, size);
        if (size == 0)
        {
            return;
        }
        // Pad to rank 4 with leading dimensions of size 1, then record the input stride of each output dimension.
        Span<int> shape = stackalloc int[MaxRank];
        Span<long> strides = stackalloc long[MaxRank];
        int padding = MaxRank - rank;
        long stride = 1;
        Span<long> inputStrides = stackalloc long[rank];
        for (int d = rank - 1; d >= 0; d--)
        {
            inputStrides[d] = stride;
            stride *= inputShape[d];
        }
        for (int d = 0; d < MaxRank; d++)
        {
            shape[d] = d < padding ? 1 : inputShape[order[d - padding]];
            strides[d] = d < padding ? 0 : inputStrides[order[d - padding]];
        }
        var layout = new PermuteLayout
        {
            Dim1 = shape[1],
            Dim2 = shape[2],
            Dim3 = shape[3],
            Stride0 = strides[0],
            Stride1 = strides[1],
            Stride2 = strides[2],
            Stride3 = strides[3],
            Accumulate = accumulate ? 1 : 0,
        };
        device.Kernels.Permute(size, input, output, layout);
    }

    /// <summary>Output element e = (i0, i1, i2, i3) in the padded output shape reads input[Σ i_d·Stride_d].</summary>
    internal static void Kernel(Index1D e, ArrayView<float> input, ArrayView<float> output, PermuteLayout layout)
    {
        int rest = e;
        int i3 = rest % layout.Dim3;
        rest /= layout.Dim3;
        int i2 = rest % layout.Dim2;
        rest /= layout.Dim2;
        int i1 = rest % layout.Dim1;
        int i0 = rest / layout.Dim1;
        float value = input[i0 * layout.Stride0 + i1 * layout.Stride1 + i2 * layout.Stride2 + i3 * layout.Stride3];
        output[e] = layout.Accumulate != 0 ? output[e] + value : value;
    }
}

/// <summary>The padded rank-4 output shape (dimension 0 is implied) and the input stride of each output dimension.</summary>
internal struct PermuteLayout
{
    public int Dim1;
    public int Dim2;
    public int Dim3;
    public long Stride0;
    public long Stride1;
    public long Stride2;
    public long Stride3;
    public int Accumulate;
}

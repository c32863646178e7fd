namespace MiniBioBert.Engine.Kernels;

/// <summary>
/// Where the per-head matrices of <see cref="TensorKernels.MultiplyPerHead"/> sit inside a tensor: element
/// [row, column] of head h of batch item b is at Tensor.Offset + b·BatchStride + h·HeadStride + row·RowStride + column.
/// For activations [B, T, heads·d]: RowStride = heads·d, HeadStride = d, BatchStride = T·heads·d.
/// </summary>
public readonly record struct StridedMatrices(Tensor Tensor, int RowStride, long HeadStride, long BatchStride);

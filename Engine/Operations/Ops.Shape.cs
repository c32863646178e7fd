using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine;

public static partial class Ops
{
    /// <summary>The same elements with another shape (no copy); one dimension may be −1.</summary>
    public static Tensor Reshape(Tensor a, params int[] shape)
    {
        var output = a.View(shape);
        output.RequiresGrad = false;
        return Gradients.Record(output, "Reshape", [a], outputGrad =>
        {
            // The layouts are identical, so the gradient passes through element for element.
            TensorKernels.AddInto(Gradients.Of(a), outputGrad);
        });
    }

    /// <summary>
    /// Reorders dimensions: output dimension d is input dimension <paramref name="order"/>[d]
    /// (attention splits heads with Permute(x [B, T, H, D], 0, 2, 1, 3) → [B, H, T, D]). The result is a contiguous copy.
    /// </summary>
    public static Tensor Permute(Tensor a, params int[] order)
    {
        if (order.Length != a.Rank || order.Distinct().Count() != order.Length || order.Any(d => d < 0 || d >= a.Rank))
        {
            throw new ArgumentException($"Permute order [{string.Join(", ", order)}] is not a permutation of the {a.Rank} dimensions of {Tensor.FormatShape(a.Shape)}.");
        }
        var inputShape = a.ShapeArray();
        var outputShape = order.Select(d => inputShape[d]).ToArray();
        var output = Tensor.Uninitialized(a.Device, outputShape);
        TensorKernels.Permute(a, inputShape, order, output, accumulate: false);
        return Gradients.Record(output, "Permute", [a], outputGrad =>
        {
            // Undo the permutation: input dimension order[d] came from output dimension d.
            var inverse = new int[order.Length];
            for (int d = 0; d < order.Length; d++)
            {
                inverse[order[d]] = d;
            }
            TensorKernels.Permute(outputGrad, outputShape, inverse, Gradients.Of(a), accumulate: true);
        });
    }

    /// <summary>Swaps two dimensions (a <see cref="Permute"/>).</summary>
    public static Tensor Transpose(Tensor a, int dim0, int dim1)
    {
        var order = Enumerable.Range(0, a.Rank).ToArray();
        dim0 = dim0 < 0 ? a.Rank + dim0 : dim0;
        dim1 = dim1 < 0 ? a.Rank + dim1 : dim1;
        (order[dim0], order[dim1]) = (order[dim1], order[dim0]);
        return Permute(a, order);
    }

    /// <summary>
    /// Embedding lookup: rows of <paramref name="table"/> [V, C] chosen by <paramref name="ids"/>, shaped
    /// [.., C] with the leading dimensions <paramref name="idShape"/>. Backward scatter-adds into the table.
    /// </summary>
    public static Tensor Embedding(Tensor table, int[] ids, params int[] idShape)
    {
        if (Tensor.ShapeSize(idShape) != ids.Length)
        {
            throw new ArgumentException($"Embedding: {ids.Length} ids do not fill shape {Tensor.FormatShape(idShape)}.");
        }
        return GatherRowsNamed(table, ids, [.. idShape, table.Dim(1)], "Embedding");
    }

    /// <summary>Rows <paramref name="rowIndices"/> of a [N, C] matrix (or a [.., C] tensor seen as one), as [count, C].</summary>
    public static Tensor GatherRows(Tensor source, int[] rowIndices) =>
        GatherRowsNamed(source, rowIndices, [rowIndices.Length, source.Dim(-1)], "GatherRows");

    private static Tensor GatherRowsNamed(Tensor source, int[] rowIndices, int[] outputShape, string name)
    {
        int columns = source.Dim(-1);
        var output = Tensor.Uninitialized(source.Device, outputShape);
        TensorKernels.GatherRows(source, rowIndices, output, columns);
        return Gradients.Record(output, name, [source], outputGrad =>
            TensorKernels.ScatterAddRows(outputGrad, rowIndices, Gradients.Of(source), columns));
    }
}

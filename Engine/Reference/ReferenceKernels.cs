namespace MiniBioBert.Engine.Reference;

/// <summary>
/// The "reference" device: one plain, single-threaded loop per kernel of <see cref="Kernels.TensorKernels"/>, with
/// the same name, parameters and meaning (the same "add into" or "written" convention for gradients). Written to be
/// read and stepped through in a debugger: no SIMD, no threads, no packing, explicit index arithmetic, shapes in
/// comments. Sums over a row or a column are accumulated in float in their natural order, except where the CPU
/// kernel sums in double (said at the method). The tensors are host tensors (<see cref="Tensor.Span"/>).
/// </summary>
internal static partial class ReferenceKernels
{
    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public static void Fill(Tensor tensor, float value)
    {
        var values = tensor.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = value;
        }
    }
}

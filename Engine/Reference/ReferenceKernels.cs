namespace MiniBioBert.Engine.Reference;

/// <summary>
/// The "reference" device: one plain, single-threaded loop per kernel of <see cref="Kernels.TensorKernels"/>, with
/// the same name, parameters and meaning (the same "add into" or "written" convention for gradients). Written to be
/// read and stepped through in a debugger: no SIMD, no threads, no packing, explicit index arithmetic, shapes in
/// comments. Sums over a row or a column are accumulated in float in their natural order, except where the CPU
/// kernel sums in double (said at the method). The tensors are host tensors (<see cref="Tensor.Span"/>).
/// Each kernel writes its loops out in full, even where two kernels' loops have the same shape (y = a ⊙ b and
/// y += a ⊙ b, softmax and log-softmax): a learner who steps into one should read it whole, without a detour through
/// a shared helper. That repetition is on purpose.
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

using System.Numerics.Tensors;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Engine;

/// <summary>
/// The differentiable operations of the engine. Each one computes its forward result with a CPU kernel and
/// records a backward closure that turns the output's gradient into gradients of its inputs.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// a + b, where b's shape equals a's shape or a suffix of it (broadcast over a's leading dimensions,
    /// e.g. [B, T, C] + [C] for a bias, or [B, T, C] + [T, C] for position embeddings).
    /// </summary>
    public static Tensor Add(Tensor a, Tensor b) => AddScaled(a, b, 1f, "Add");

    /// <summary>a − b with the broadcasting of <see cref="Add"/>.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => AddScaled(a, b, -1f, "Sub");

    private static Tensor AddScaled(Tensor a, Tensor b, float bSign, string name)
    {
        int inner = BroadcastInnerSize(a, b, name);
        var output = Tensor.Uninitialized(a.ShapeArray());
        var outputMemory = output.Memory;
        var aMemory = a.Memory;
        var bMemory = b.Memory;
        CpuParallel.ForRows(a.Size / inner, inner, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                TensorPrimitives.MultiplyAdd(bMemory.Span, bSign, aMemory.Span.Slice(r * inner, inner), outputMemory.Span.Slice(r * inner, inner));
            }
        });
        return Gradients.Record(output, name, [a, b], outputGrad =>
        {
            if (a.RequiresGrad)
            {
                // da += dy
                var aGrad = Gradients.Of(a).Span;
                TensorPrimitives.Add(aGrad, outputGrad.Span, aGrad);
            }
            if (b.RequiresGrad)
            {
                // db += ±Σ_leading dy
                var bGrad = Gradients.Of(b);
                if (bSign > 0)
                {
                    ReductionKernels.AddColumnSums(outputGrad.Memory, bGrad.Memory, inner);
                }
                else
                {
                    var sums = Tensor.Zeros(b.ShapeArray());
                    ReductionKernels.AddColumnSums(outputGrad.Memory, sums.Memory, inner);
                    TensorPrimitives.Subtract(bGrad.Span, sums.Span, bGrad.Span);
                }
            }
        });
    }

    /// <summary>a ⊙ b (elementwise), with b broadcast over a's leading dimensions as in <see cref="Add"/>.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        int inner = BroadcastInnerSize(a, b, "Mul");
        var output = Tensor.Uninitialized(a.ShapeArray());
        var outputMemory = output.Memory;
        var aMemory = a.Memory;
        var bMemory = b.Memory;
        CpuParallel.ForRows(a.Size / inner, inner, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                TensorPrimitives.Multiply(aMemory.Span.Slice(r * inner, inner), bMemory.Span, outputMemory.Span.Slice(r * inner, inner));
            }
        });
        return Gradients.Record(output, "Mul", [a, b], outputGrad =>
        {
            if (a.RequiresGrad)
            {
                // da += dy ⊙ b (b repeated over the leading dimensions)
                var aGrad = Gradients.Of(a).Memory;
                var gradMemory = outputGrad.Memory;
                CpuParallel.ForRows(a.Size / inner, inner, (start, end) =>
                {
                    for (int r = start; r < end; r++)
                    {
                        var row = aGrad.Span.Slice(r * inner, inner);
                        TensorPrimitives.MultiplyAdd(gradMemory.Span.Slice(r * inner, inner), bMemory.Span, row, row);
                    }
                });
            }
            if (b.RequiresGrad)
            {
                // db += Σ_leading dy ⊙ a
                ReductionKernels.AddColumnSumsOfProducts(outputGrad.Memory, aMemory, Gradients.Of(b).Memory, inner);
            }
        });
    }

    /// <summary>a · scale.</summary>
    public static Tensor Scale(Tensor a, float scale)
    {
        var output = Tensor.Uninitialized(a.ShapeArray());
        TensorPrimitives.Multiply(a.Span, scale, output.Span);
        return Gradients.Record(output, "Scale", [a], outputGrad =>
        {
            var aGrad = Gradients.Of(a).Span;
            TensorPrimitives.MultiplyAdd(outputGrad.Span, scale, aGrad, aGrad);
        });
    }

    /// <summary>The sum of all elements, as a one-element tensor.</summary>
    public static Tensor Sum(Tensor a) => SumScaled(a, 1f, "Sum");

    /// <summary>The mean of all elements, as a one-element tensor.</summary>
    public static Tensor Mean(Tensor a) => SumScaled(a, 1f / a.Size, "Mean");

    private static Tensor SumScaled(Tensor a, float scale, string name)
    {
        var output = Tensor.Uninitialized(1);
        output.Span[0] = (float)(ReductionKernels.Sum(a.Span) * scale);
        return Gradients.Record(output, name, [a], outputGrad =>
        {
            var aGrad = Gradients.Of(a).Span;
            TensorPrimitives.Add(aGrad, outputGrad.Span[0] * scale, aGrad);
        });
    }

    /// <summary>Size of b, after checking that b's shape is a suffix of a's.</summary>
    private static int BroadcastInnerSize(Tensor a, Tensor b, string name)
    {
        bool suffix = b.Rank <= a.Rank && b.Size > 0;
        for (int d = 1; suffix && d <= b.Rank; d++)
        {
            suffix = a.Dim(-d) == b.Dim(-d);
        }
        if (!suffix)
        {
            throw new ArgumentException($"{name}: shape {Tensor.FormatShape(b.Shape)} cannot be broadcast to {Tensor.FormatShape(a.Shape)} (it must equal a suffix of it).");
        }
        return b.Size;
    }
}

using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine;

/// <summary>
/// The differentiable operations of the engine. Each one computes its forward result with a kernel of
/// <see cref="TensorKernels"/> (which runs on the CPU or on the inputs' GPU device) and records a backward closure
/// that turns the output's gradient into gradients of its inputs. The inputs of one operation must share a device.
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
        var device = Device.Common(name, a, b);
        int inner = BroadcastInnerSize(a, b, name);
        var output = Tensor.Uninitialized(device, a.ShapeArray());
        TensorKernels.AddScaled(a, b, bSign, output);
        return Gradients.Record(output, name, [a, b], outputGrad =>
        {
            if (a.RequiresGrad)
            {
                // da += dy
                TensorKernels.AddInto(Gradients.Of(a), outputGrad);
            }
            if (b.RequiresGrad)
            {
                // db += ±Σ_leading dy
                if (bSign > 0)
                {
                    TensorKernels.AddColumnSums(outputGrad, Gradients.Of(b), inner);
                }
                else
                {
                    TensorKernels.SubtractColumnSums(outputGrad, Gradients.Of(b), inner);
                }
            }
        });
    }

    /// <summary>a ⊙ b (elementwise), with b broadcast over a's leading dimensions as in <see cref="Add"/>.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var device = Device.Common("Mul", a, b);
        int inner = BroadcastInnerSize(a, b, "Mul");
        var output = Tensor.Uninitialized(device, a.ShapeArray());
        TensorKernels.Multiply(a, b, output);
        return Gradients.Record(output, "Mul", [a, b], outputGrad =>
        {
            if (a.RequiresGrad)
            {
                // da += dy ⊙ b (b repeated over the leading dimensions)
                TensorKernels.MultiplyInto(Gradients.Of(a), outputGrad, b);
            }
            if (b.RequiresGrad)
            {
                // db += Σ_leading dy ⊙ a
                TensorKernels.AddColumnSumsOfProducts(outputGrad, a, Gradients.Of(b), inner);
            }
        });
    }

    /// <summary>a · scale.</summary>
    public static Tensor Scale(Tensor a, float scale)
    {
        var output = Tensor.Uninitialized(a.Device, a.ShapeArray());
        TensorKernels.Scale(a, scale, output);
        // da += scale · dy
        return Gradients.Record(output, "Scale", [a], outputGrad => TensorKernels.AddScaledInto(Gradients.Of(a), outputGrad, scale));
    }

    /// <summary>The sum of all elements, as a one-element tensor.</summary>
    public static Tensor Sum(Tensor a) => SumScaled(a, 1f, "Sum");

    /// <summary>The mean of all elements, as a one-element tensor.</summary>
    public static Tensor Mean(Tensor a) => SumScaled(a, 1f / a.Size, "Mean");

    private static Tensor SumScaled(Tensor a, float scale, string name)
    {
        var output = Tensor.Uninitialized(a.Device, 1);
        TensorKernels.Sum(a, scale, output);
        // da += scale · dy[0] everywhere
        return Gradients.Record(output, name, [a], outputGrad => TensorKernels.AddScalarInto(Gradients.Of(a), outputGrad, scale));
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

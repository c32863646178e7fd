using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Engine;

public static partial class Ops
{
    /// <summary>Exact GELU, x·Φ(x) with Φ the normal CDF (erf form, as BERT uses; not the tanh approximation).</summary>
    public static Tensor Gelu(Tensor x)
    {
        var output = Tensor.Uninitialized(x.Device, x.ShapeArray());
        TensorKernels.GeluForward(x, output);
        return Gradients.Record(output, "Gelu", [x], outputGrad =>
            TensorKernels.GeluBackward(x, outputGrad, Gradients.Of(x)));
    }

    /// <summary>Hyperbolic tangent (the pooler's activation).</summary>
    public static Tensor Tanh(Tensor x)
    {
        var output = Tensor.Uninitialized(x.Device, x.ShapeArray());
        TensorKernels.TanhForward(x, output);
        return Gradients.Record(output, "Tanh", [x], outputGrad =>
            TensorKernels.TanhBackward(output, outputGrad, Gradients.Of(x)));
    }

    /// <summary>
    /// Inverted dropout: each element is zeroed with probability <paramref name="probability"/> and the rest are
    /// scaled by 1/(1 − p). The mask is a pure function of <paramref name="seed"/> and the element index.
    /// With p = 0 the input is returned unchanged.
    /// </summary>
    public static Tensor Dropout(Tensor x, float probability, ulong seed)
    {
        if (!(probability >= 0 && probability < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), $"Dropout probability must be in [0, 1), not {probability}.");
        }
        if (probability == 0)
        {
            return x;
        }
        var mask = Tensor.Uninitialized(x.Device, x.ShapeArray());
        var output = Tensor.Uninitialized(x.Device, x.ShapeArray());
        TensorKernels.DropoutForward(x, probability, seed, mask, output);
        // dx += dy ⊙ mask
        return Gradients.Record(output, "Dropout", [x], outputGrad => TensorKernels.DropoutBackward(outputGrad, mask, Gradients.Of(x)));
    }
}

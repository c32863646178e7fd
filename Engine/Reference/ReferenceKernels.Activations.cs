using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Engine.Reference;

internal static partial class ReferenceKernels
{
    /// <summary>y = GELU(x) = x·Φ(x), the exact (erf) form.</summary>
    public static void GeluForward(Tensor x, Tensor y)
    {
        // x, y: any shape, same size
        var input = x.Span;
        var output = y.Span;
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = input[i] * GaussianFunctions.Cdf(input[i]);
        }
    }

    /// <summary>dx += dy·GELU'(x), with GELU'(x) = Φ(x) + x·φ(x).</summary>
    public static void GeluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        var input = x.Span;
        var outputGrad = dy.Span;
        var inputGrad = dx.Span;
        for (int i = 0; i < input.Length; i++)
        {
            float derivative = GaussianFunctions.Cdf(input[i]) + input[i] * GaussianFunctions.Pdf(input[i]);
            inputGrad[i] += outputGrad[i] * derivative;
        }
    }

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(Tensor x, Tensor y)
    {
        var input = x.Span;
        var output = y.Span;
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = MathF.Tanh(input[i]);
        }
    }

    /// <summary>dx += dy·(1 − y²), from the forward output y.</summary>
    public static void TanhBackward(Tensor y, Tensor dy, Tensor dx)
    {
        var output = y.Span;
        var outputGrad = dy.Span;
        var inputGrad = dx.Span;
        for (int i = 0; i < output.Length; i++)
        {
            inputGrad[i] += outputGrad[i] * (1f - output[i] * output[i]);
        }
    }

    /// <summary>pre [rows, width] holds x·Wᵀ on entry and pre + bias on return; y = GELU(pre + bias).</summary>
    public static void BiasGeluForward(Tensor pre, Tensor bias, Tensor y)
    {
        // pre, y: [rows, width]; bias: [width]
        int width = bias.Size;
        int rows = pre.Size / width;
        var preActivation = pre.Span;
        var biasValues = bias.Span;
        var output = y.Span;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < width; c++)
            {
                int i = r * width + c;
                preActivation[i] += biasValues[c];
                output[i] = preActivation[i] * GaussianFunctions.Cdf(preActivation[i]);
            }
        }
    }

    /// <summary>
    /// preGrad = dy ⊙ GELU'(pre) (written, not added) and biasGrad += Σ_rows preGrad. The forward's output y is not
    /// read: the reference computes Φ(pre) itself, where the CPU kernel takes it as y/pre.
    /// </summary>
    public static void BiasGeluBackward(Tensor pre, Tensor y, Tensor dy, Tensor preGrad, Tensor biasGrad)
    {
        // pre, y, dy, preGrad: [rows, width]; biasGrad: [width]
        var preActivation = pre.Span;
        var outputGrad = dy.Span;
        var inputGrad = preGrad.Span;
        for (int i = 0; i < preActivation.Length; i++)
        {
            float derivative = GaussianFunctions.Cdf(preActivation[i]) + preActivation[i] * GaussianFunctions.Pdf(preActivation[i]);
            inputGrad[i] = outputGrad[i] * derivative;
        }
        AddColumnSums(preGrad, biasGrad, biasGrad.Size);
    }

    /// <summary>
    /// Writes the dropout mask (0, or 1/(1 − p) for a kept element) and y = x ⊙ mask. The mask of element i is a pure
    /// function of (seed, i): the very draw of <see cref="DropoutKernels"/>, so both devices drop the same elements.
    /// </summary>
    public static void DropoutForward(Tensor x, float probability, ulong seed, Tensor mask, Tensor y)
    {
        // x, mask, y: any shape, same size
        var input = x.Span;
        var maskValues = mask.Span;
        var output = y.Span;
        for (int i = 0; i < input.Length; i++)
        {
            maskValues[i] = DropoutMaskValue(probability, seed, i);
            output[i] = input[i] * maskValues[i];
        }
    }

    /// <summary>dx += dy ⊙ mask.</summary>
    public static void DropoutBackward(Tensor dy, Tensor mask, Tensor dx)
    {
        var outputGrad = dy.Span;
        var maskValues = mask.Span;
        var inputGrad = dx.Span;
        for (int i = 0; i < outputGrad.Length; i++)
        {
            inputGrad[i] += outputGrad[i] * maskValues[i];
        }
    }

    /// <summary>
    /// The dropout mask value of element <paramref name="index"/>: 0 when hash(seed + index) falls below p, else
    /// 1/(1 − p). It asks <see cref="DropoutKernels.Apply"/> for that one element (its plain scalar loop), so the
    /// hash and the threshold live in one place.
    /// </summary>
    private static float DropoutMaskValue(float probability, ulong seed, long index)
    {
        ReadOnlySpan<float> one = [1f];
        Span<float> maskValue = stackalloc float[1];
        Span<float> scaledOne = stackalloc float[1];
        DropoutKernels.Apply(one, probability, seed, index, maskValue, scaledOne);
        return maskValue[0];
    }
}

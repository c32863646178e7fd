using MiniBioBert.Engine;

namespace MiniBioBert.Training.Optim;

/// <summary>Finds where a NaN or infinity is in a model's parameters and gradients, to name it in a warning.</summary>
internal static class NonFiniteTensors
{
    /// <summary>
    /// The first parameter whose value is non-finite (named "<c>name (its value is not finite)</c>"), otherwise the
    /// first one with a non-finite gradient going backward from the last parameter of the last buffer; null when
    /// everything is finite.
    /// </summary>
    public static string? First(IReadOnlyList<ParameterBuffer> buffers)
    {
        // A non-finite weight is the cause; otherwise the first non-finite gradient met going backward from the
        // heads (the last parameters in the buffer) is where the trouble entered the backward pass.
        foreach (var parameter in buffers.SelectMany(b => b.Parameters))
        {
            if (!AllFinite(HostValues(parameter.Value)))
            {
                return parameter.Name + " (its value is not finite)";
            }
        }
        foreach (var buffer in buffers.Reverse())
        {
            foreach (var parameter in buffer.Parameters.Reverse())
            {
                if (!AllFinite(HostValues(parameter.Value.Grad!)))
                {
                    return parameter.Name;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// "step S: gradient norm is N; first non-finite gradient in 'T'." when the norm is not finite, else
    /// "step S: loss is L; the gradients are finite.".
    /// </summary>
    public static string Describe(long step, double loss, double gradientNorm, string tensor) =>
        double.IsFinite(gradientNorm)
            ? $"step {step}: loss is {loss}; the gradients are finite."
            : $"step {step}: gradient norm is {gradientNorm}; first non-finite gradient in '{tensor}'.";

    /// <summary>A tensor's elements in host memory (downloaded when it is on a GPU).</summary>
    private static ReadOnlySpan<float> HostValues(Tensor tensor) => tensor.Device.IsHost ? tensor.Span : tensor.ToArray();

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }
        return true;
    }
}

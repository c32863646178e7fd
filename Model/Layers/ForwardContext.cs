using MiniBioBert.Engine;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// What one forward pass needs besides its inputs: whether dropout is active, where dropout masks come from,
/// and (for learners) whether to keep every layer's attention probabilities.
/// </summary>
public sealed class ForwardContext
{
    private ulong _dropoutCounter;

    /// <summary>Training mode: dropout on. Evaluation: off.</summary>
    public bool Training { get; init; }

    /// <summary>Seed of this pass's dropout masks; each dropout site derives its own from it, in forward order.</summary>
    public ulong DropoutSeed { get; init; }

    /// <summary>Debug switch: when set, each attention layer stores a copy of its probabilities [B, heads, T, T] here.</summary>
    public List<Tensor>? AttentionProbabilities { get; init; }

    /// <summary>A context for evaluation and inference (no dropout).</summary>
    public static ForwardContext Evaluation => new() { Training = false };

    /// <summary>The seed of the next dropout site (same sequence for the same pass, so runs are reproducible).</summary>
    public ulong NextDropoutSeed() => SplitMix64.Hash(DropoutSeed ^ (++_dropoutCounter * SplitMix64.Gamma));

    /// <summary>
    /// Applies inverted dropout when training with p &gt; 0: returns the output and the mask (0 or 1/(1 − p)) the
    /// backward pass multiplies by; otherwise returns the input itself and no mask.
    /// </summary>
    public (Tensor Output, Tensor? Mask) Dropout(Tensor input, float probability)
    {
        if (!Training || probability == 0)
        {
            return (input, null);
        }
        var mask = Tensor.Uninitialized(input.Device, input.ShapeArray());
        var output = Tensor.Uninitialized(input.Device, input.ShapeArray());
        Engine.Kernels.TensorKernels.DropoutForward(input, probability, NextDropoutSeed(), mask, output);
        return (output, mask);
    }

    /// <summary>
    /// For kernels that apply dropout themselves: the probability and seed of the next dropout site, or (0, 0) when
    /// dropout is off (evaluation, or p = 0; no seed is used up then, as in <see cref="Dropout"/>).
    /// </summary>
    public (float Probability, ulong Seed) NextDropoutSite(float probability) =>
        !Training || probability == 0 ? (0f, 0UL) : (probability, NextDropoutSeed());

    /// <summary>The gradient through a dropout site: outputGrad ⊙ mask (or outputGrad itself when there was no mask).</summary>
    public static Tensor DropoutBackward(Tensor outputGrad, Tensor? mask)
    {
        if (mask is null)
        {
            return outputGrad;
        }
        var inputGrad = Tensor.Uninitialized(outputGrad.Device, outputGrad.ShapeArray());
        Engine.Kernels.TensorKernels.MultiplySameSize(outputGrad, mask, inputGrad);
        return inputGrad;
    }
}

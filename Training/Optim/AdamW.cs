using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), on a model whose parameters and gradients each live in
/// one flat float buffer. The update and its order of float operations follow PyTorch's <c>torch.optim.AdamW</c>
/// (single-tensor implementation), so results agree with it to float32 rounding.
/// Update t (1-based), for every element, with learning rate lr and λ = weight decay (0 outside decayed segments):
/// <code>
/// p ← p · (1 − lr·λ)
/// m ← m + (1 − β1)·(g − m)              (= β1·m + (1 − β1)·g; PyTorch's lerp form, for β1 > 0.5)
/// v ← β2·v + (1 − β2)·g²
/// p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)   (= p − lr·m̂/(√v̂ + ε))
/// </code>
/// Scalars are computed in double and rounded once to float, as PyTorch does with its Python-float hyperparameters.
/// The moments m and v are owned here, in host memory; the update itself is <see cref="TensorKernels.AdamWUpdate"/>, whose
/// CPU, reference and GPU kernels sit side by side in Engine (<see cref="AdamWScalars"/> has the formula). A model
/// on a device is updated there by <see cref="ModelOptimizer"/>. Not thread-safe: one <see cref="Step"/> at a time.
/// </summary>
internal sealed class AdamW
{
    private readonly ParameterSegment[] _segments;
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;

    /// <summary>
    /// An optimizer for the flat buffer tiled by <paramref name="segments"/>: in offset order they must start at 0
    /// and follow each other without gap or overlap; the buffer length is the sum of their lengths.
    /// </summary>
    public AdamW(IReadOnlyList<ParameterSegment> segments, AdamWOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        Options = options ?? new AdamWOptions();
        Options.Validate();
        _segments = SortAndCheckTiling(segments);
        ParameterCount = _segments.Length == 0 ? 0 : _segments[^1].Offset + _segments[^1].Length;
        _firstMoment = new float[ParameterCount];
        _secondMoment = new float[ParameterCount];
        DecayMask = new float[ParameterCount];
        foreach (var segment in _segments)
        {
            DecayMask.AsSpan(segment.Offset, segment.Length).Fill(segment.Decay ? 1f : 0f);
        }
    }

    /// <summary>β1, β2, ε and weight decay.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Length of the flat parameter and gradient buffers.</summary>
    public int ParameterCount { get; }

    /// <summary>The segments, sorted by offset.</summary>
    public IReadOnlyList<ParameterSegment> Segments => _segments;

    /// <summary>Number of updates made so far (t of the last update; 0 before the first).</summary>
    public long StepCount { get; private set; }

    /// <summary>First-moment estimate m, one per parameter.</summary>
    public ReadOnlySpan<float> FirstMoment => _firstMoment;

    /// <summary>Second-moment estimate v, one per parameter.</summary>
    public ReadOnlySpan<float> SecondMoment => _secondMoment;

    /// <summary>1 where weight decay applies, 0 elsewhere, one per parameter (from the segments).</summary>
    internal float[] DecayMask { get; }

    /// <summary>
    /// One AdamW update of <paramref name="parameters"/> in place from <paramref name="gradients"/> (left unchanged),
    /// with the given learning rate, on the CPU; increments <see cref="StepCount"/> first, so the first update uses t = 1.
    /// </summary>
    public void Step(float[] parameters, float[] gradients, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (parameters.Length != ParameterCount || gradients.Length != ParameterCount)
        {
            throw new ArgumentException(
                $"AdamW expects flat buffers of {ParameterCount} floats; got parameters[{parameters.Length}] and gradients[{gradients.Length}].");
        }
        Update(Tensor.FromArray(parameters, ParameterCount), Tensor.FromArray(gradients, ParameterCount),
            Tensor.FromArray(_firstMoment, ParameterCount), Tensor.FromArray(_secondMoment, ParameterCount),
            Tensor.FromArray(DecayMask, ParameterCount), learningRate, StepControl.Unconditional(Device.Cpu));
        CountUpdate();
    }

    /// <summary>
    /// Update t = <see cref="StepCount"/> + 1 of tensors on any one device (<see cref="TensorKernels.AdamWUpdate"/>):
    /// the gradients are multiplied by the clipping factor of <paramref name="control"/> as they are read, and nothing
    /// changes when it says not to apply. <see cref="StepCount"/> does not move: call <see cref="CountUpdate"/> once the
    /// host knows the update was applied (on a GPU, after the step's download).
    /// </summary>
    internal void Update(Tensor parameters, Tensor gradients, Tensor firstMoment, Tensor secondMoment, Tensor decayMask,
        double learningRate, Tensor control)
    {
        if (!(learningRate >= 0 && double.IsFinite(learningRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be non-negative and finite.");
        }
        var scalars = new AdamWScalars(Options.ForLearningRate(learningRate), StepCount + 1);
        TensorKernels.AdamWUpdate(parameters, gradients, firstMoment, secondMoment, decayMask, scalars, control);
    }

    /// <summary>Counts an applied update: the next one is t + 1.</summary>
    internal void CountUpdate() => StepCount++;

    /// <summary>The moment arrays themselves (not copies), for a device-side update to view or to fill.</summary>
    internal (float[] FirstMoment, float[] SecondMoment) MomentArrays => (_firstMoment, _secondMoment);

    /// <summary>Sets the step count and moments, e.g. from a saved state; lengths must be <see cref="ParameterCount"/>.</summary>
    internal void RestoreState(long stepCount, ReadOnlySpan<float> firstMoment, ReadOnlySpan<float> secondMoment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (firstMoment.Length != ParameterCount || secondMoment.Length != ParameterCount)
        {
            throw new ArgumentException($"AdamW state needs moments of {ParameterCount} floats; got {firstMoment.Length} and {secondMoment.Length}.");
        }
        StepCount = stepCount;
        firstMoment.CopyTo(_firstMoment);
        secondMoment.CopyTo(_secondMoment);
    }

    private static ParameterSegment[] SortAndCheckTiling(IReadOnlyList<ParameterSegment> segments)
    {
        ParameterSegment[] sorted = [.. segments.OrderBy(s => s.Offset)];
        long end = 0;
        foreach (ParameterSegment segment in sorted)
        {
            if (segment.Length <= 0)
            {
                throw new ArgumentException($"Parameter segment at offset {segment.Offset} has length {segment.Length}; lengths must be positive.", nameof(segments));
            }
            if (segment.Offset != end)
            {
                throw new ArgumentException(
                    $"Parameter segments must tile the flat buffer from 0 without gaps or overlaps: the segment at offset {segment.Offset} follows one ending at {end}.",
                    nameof(segments));
            }
            end += segment.Length;
            if (end > Array.MaxLength)
            {
                throw new ArgumentException($"Parameter segments cover {end} floats, more than one array can hold.", nameof(segments));
            }
        }
        return sorted;
    }
}

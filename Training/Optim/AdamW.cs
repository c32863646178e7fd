using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
/// The moments m and v are owned here; a step allocates no buffers. Not thread-safe: one <see cref="Step"/> at a time.
/// </summary>
public sealed class AdamW
{
    private readonly ParameterSegment[] _segments;
    private readonly ParameterSegment[] _workItems;
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;
    private readonly Action<int> _updateWorkItem;

    // Read by _updateWorkItem while a Step runs; cleared afterwards so the optimizer holds no model buffers.
    private float[] _parameters = [];
    private float[] _gradients = [];
    private StepScalars _scalars;

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
        _workItems = SplitIntoWorkItems(_segments);
        _firstMoment = new float[ParameterCount];
        _secondMoment = new float[ParameterCount];
        _updateWorkItem = UpdateWorkItem;
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

    /// <summary>
    /// One AdamW update of <paramref name="parameters"/> in place from <paramref name="gradients"/> (left unchanged),
    /// with the given learning rate; increments <see cref="StepCount"/> first, so the first update uses t = 1.
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
        if (!(learningRate >= 0 && double.IsFinite(learningRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be non-negative and finite.");
        }

        StepCount++;
        _scalars = new StepScalars(Options, learningRate, StepCount);
        _parameters = parameters;
        _gradients = gradients;
        try
        {
            if (_workItems.Length == 1)
            {
                UpdateWorkItem(0);
            }
            else
            {
                Parallel.For(0, _workItems.Length, _updateWorkItem);
            }
        }
        finally
        {
            _parameters = [];
            _gradients = [];
        }
    }

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

    private void UpdateWorkItem(int index)
    {
        ParameterSegment item = _workItems[index];
        float decayFactor = item.Decay ? _scalars.DecayFactor : 1f; // × 1f is exact: no decay
        Update(
            _parameters.AsSpan(item.Offset, item.Length),
            _gradients.AsSpan(item.Offset, item.Length),
            _firstMoment.AsSpan(item.Offset, item.Length),
            _secondMoment.AsSpan(item.Offset, item.Length),
            decayFactor, _scalars);
    }

    // p, g, m, v: [n], the same range of the four flat buffers.
    private static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float decayFactor, StepScalars s)
    {
        ref float pRef = ref MemoryMarshal.GetReference(p);
        ref float gRef = ref MemoryMarshal.GetReference(g);
        ref float mRef = ref MemoryMarshal.GetReference(m);
        ref float vRef = ref MemoryMarshal.GetReference(v);

        int i = 0;
        for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var gi = Vector256.LoadUnsafe(ref gRef, (nuint)i);
            var mi = Vector256.LoadUnsafe(ref mRef, (nuint)i);
            var vi = Vector256.LoadUnsafe(ref vRef, (nuint)i);
            var pi = Vector256.LoadUnsafe(ref pRef, (nuint)i) * decayFactor;
            mi += s.OneMinusBeta1 * (gi - mi);
            vi = vi * s.Beta2 + s.OneMinusBeta2 * gi * gi;
            var denominator = Vector256.Sqrt(vi) / s.BiasCorrection2Sqrt + Vector256.Create(s.Epsilon);
            pi += s.NegativeStepSize * mi / denominator;
            mi.StoreUnsafe(ref mRef, (nuint)i);
            vi.StoreUnsafe(ref vRef, (nuint)i);
            pi.StoreUnsafe(ref pRef, (nuint)i);
        }
        for (; i < p.Length; i++)
        {
            float gi = Unsafe.Add(ref gRef, i);
            ref float mi = ref Unsafe.Add(ref mRef, i);
            ref float vi = ref Unsafe.Add(ref vRef, i);
            ref float pi = ref Unsafe.Add(ref pRef, i);
            pi *= decayFactor;
            mi += s.OneMinusBeta1 * (gi - mi);
            vi = vi * s.Beta2 + s.OneMinusBeta2 * gi * gi;
            float denominator = MathF.Sqrt(vi) / s.BiasCorrection2Sqrt + s.Epsilon;
            pi += s.NegativeStepSize * mi / denominator;
        }
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

    private static ParameterSegment[] SplitIntoWorkItems(ParameterSegment[] segments)
    {
        var items = new List<ParameterSegment>();
        foreach (ParameterSegment segment in segments)
        {
            for (int start = 0; start < segment.Length; start += FlatBuffer.ChunkLength)
            {
                items.Add(segment with { Offset = segment.Offset + start, Length = Math.Min(FlatBuffer.ChunkLength, segment.Length - start) });
            }
        }
        return [.. items];
    }

    /// <summary>The per-step scalars, computed in double and rounded to float once.</summary>
    private readonly struct StepScalars(AdamWOptions options, double learningRate, long step)
    {
        public float DecayFactor { get; } = (float)(1 - learningRate * options.WeightDecay);
        public float OneMinusBeta1 { get; } = (float)(1 - options.Beta1);
        public float Beta2 { get; } = (float)options.Beta2;
        public float OneMinusBeta2 { get; } = (float)(1 - options.Beta2);
        public float BiasCorrection2Sqrt { get; } = (float)Math.Sqrt(1 - Math.Pow(options.Beta2, step));
        public float Epsilon { get; } = (float)options.Epsilon;
        public float NegativeStepSize { get; } = (float)(-learningRate / (1 - Math.Pow(options.Beta1, step)));
    }
}

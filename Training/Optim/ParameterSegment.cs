namespace MiniBioBert.Training.Optim;

/// <summary>
/// One parameter tensor as a range of the model's flat parameter buffer (and, at the same offsets, of the flat
/// gradient buffer), with whether weight decay applies to it.
/// </summary>
/// <param name="Offset">Index of the first float of the range.</param>
/// <param name="Length">Number of floats in the range.</param>
/// <param name="Decay">True when decoupled weight decay is applied to this range.</param>
internal readonly record struct ParameterSegment(int Offset, int Length, bool Decay);

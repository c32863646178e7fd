namespace MiniBioBert.Model.Initialization;

/// <summary>How a new model's position embeddings start.</summary>
public enum PositionInit
{
    /// <summary>N(0, initializer_range²), as Hugging Face initialises every embedding.</summary>
    Normal,

    /// <summary>Scaled sinusoids (<see cref="SinusoidalPositions"/>): same spread, but neighbouring positions are related.</summary>
    Sinusoidal,
}

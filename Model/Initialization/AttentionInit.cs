namespace MiniBioBert.Model.Initialization;

/// <summary>How a new model's attention query and key weights start.</summary>
public enum AttentionInit
{
    /// <summary>N(0, initializer_range²), as Hugging Face initialises every dense layer.</summary>
    Normal,

    /// <summary>
    /// N(0, initializer_range²) plus a fixed-offset pattern (<see cref="LocalAttentionHeads"/>): the first half of
    /// every layer's heads start looking one or more positions to the left or right.
    /// </summary>
    Local,
}

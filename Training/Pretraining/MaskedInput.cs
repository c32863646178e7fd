namespace MiniBioBert.Training.Pretraining;

/// <summary>What the model was shown at a position chosen for masked-LM prediction (BERT's 80/10/10 rule).</summary>
internal enum MaskedInput
{
    /// <summary>The <c>[MASK]</c> token: the original can only be predicted from context.</summary>
    MaskToken,

    /// <summary>A random token from the vocabulary.</summary>
    Random,

    /// <summary>The original token itself.</summary>
    Kept,
}

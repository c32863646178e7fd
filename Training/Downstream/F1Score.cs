namespace MiniBioBert.Training.Downstream;

/// <summary>Counts and scores of one entity type or label (or of all together, micro-averaged).</summary>
/// <param name="Name">The entity type or label, or "ALL" for the micro average.</param>
/// <param name="Gold">Gold items (entities, or examples carrying the label).</param>
/// <param name="Predicted">Predicted items.</param>
/// <param name="Correct">Predictions that are right (for entities: exactly a gold span and type).</param>
internal sealed record F1Score(string Name, int Gold, int Predicted, int Correct)
{
    /// <summary>Correct / Predicted (0 when nothing was predicted, as conlleval).</summary>
    public double Precision => Predicted == 0 ? 0 : (double)Correct / Predicted;

    /// <summary>Correct / Gold (0 when there is no gold entity).</summary>
    public double Recall => Gold == 0 ? 0 : (double)Correct / Gold;

    /// <summary>Harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

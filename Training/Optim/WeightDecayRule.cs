namespace MiniBioBert.Training.Optim;

/// <summary>
/// The BERT convention for which parameters get weight decay: every weight matrix and embedding table does,
/// biases and LayerNorm parameters do not.
/// </summary>
internal static class WeightDecayRule
{
    /// <summary>
    /// True when weight decay applies to the parameter with this Hugging Face name
    /// (e.g. <c>bert.encoder.layer.0.attention.self.query.weight</c>); false for names ending in <c>.bias</c>
    /// or containing <c>LayerNorm</c>.
    /// </summary>
    public static bool AppliesTo(string hfParameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(hfParameterName);
        return !hfParameterName.EndsWith(".bias", StringComparison.Ordinal)
            && !hfParameterName.Contains("LayerNorm", StringComparison.Ordinal);
    }

    /// <summary>
    /// Segments for named parameter views, with <see cref="ParameterSegment.Decay"/> set by <see cref="AppliesTo"/>.
    /// </summary>
    public static ParameterSegment[] Segments(IEnumerable<(string Name, int Offset, int Length)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [.. parameters.Select(p => new ParameterSegment(p.Offset, p.Length, AppliesTo(p.Name)))];
    }
}

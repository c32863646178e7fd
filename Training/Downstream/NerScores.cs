namespace MiniBioBert.Training.Downstream;

/// <summary>conlleval's report: per-type and micro-averaged entity scores, and token accuracy.</summary>
internal sealed record NerScores(IReadOnlyList<F1Score> PerType, F1Score Micro, int Tokens, int CorrectTokens)
{
    /// <summary>Fraction of tokens whose predicted tag equals the gold tag.</summary>
    public double TokenAccuracy => Tokens == 0 ? 0 : (double)CorrectTokens / Tokens;
}

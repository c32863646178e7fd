using System.Globalization;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// BioASQ's factoid measures over questions, each with up to 5 ranked answers: strict accuracy (the first answer is
/// right), lenient accuracy (one of the answers is right) and MRR (mean of 1 / rank of the first right answer, 0 when
/// none is). An answer is right when it equals one of the question's gold strings (synonyms count) ignoring case and
/// surrounding or repeated whitespace.
/// </summary>
internal sealed record BioAsqScores(int Questions, int Strict, int Lenient, double ReciprocalRankSum)
{
    public double StrictAccuracy => Questions == 0 ? 0 : (double)Strict / Questions;

    public double LenientAccuracy => Questions == 0 ? 0 : (double)Lenient / Questions;

    public double MeanReciprocalRank => Questions == 0 ? 0 : ReciprocalRankSum / Questions;

    /// <summary>Scores <paramref name="answers"/> (question id → ranked answers) against <paramref name="gold"/> (question id → gold strings).</summary>
    /// <exception cref="InvalidDataException">A question has no gold answers, or there is no question.</exception>
    public static BioAsqScores Evaluate(IReadOnlyDictionary<string, List<RankedAnswer>> answers, IReadOnlyDictionary<string, string[]> gold)
    {
        if (answers.Count == 0)
        {
            throw new InvalidDataException("The question-answering evaluation set is empty; accuracy and MRR over nothing would mean nothing.");
        }
        int strict = 0, lenient = 0;
        double reciprocalRanks = 0;
        foreach (var (id, ranked) in answers)
        {
            if (!gold.TryGetValue(id, out var synonyms))
            {
                throw new InvalidDataException($"Question '{id}' has no gold answers to score against.");
            }
            var right = synonyms.Select(Normalize).ToHashSet(StringComparer.Ordinal);
            int rank = ranked.FindIndex(a => right.Contains(Normalize(a.Text))) + 1;
            strict += rank == 1 ? 1 : 0;
            lenient += rank >= 1 ? 1 : 0;
            reciprocalRanks += rank >= 1 ? 1.0 / rank : 0;
        }
        return new BioAsqScores(answers.Count, strict, lenient, reciprocalRanks);
    }

    /// <summary>Lower case, whitespace trimmed and collapsed to single spaces.</summary>
    public static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>One line (percentages).</summary>
    public string Format(string title) => string.Create(CultureInfo.InvariantCulture,
        $"{title}: {Questions} questions; strict accuracy {100 * StrictAccuracy:F2}%, lenient accuracy {100 * LenientAccuracy:F2}%, MRR {100 * MeanReciprocalRank:F2}\n");
}

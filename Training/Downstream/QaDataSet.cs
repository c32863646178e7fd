using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// BioASQ factoid question answering as BioBERT preprocessed it (SQuAD v1.1 files): train and devel pairs from the
/// training file, test pairs from the test file, and the gold answers of every devel and test question. The devel
/// questions are those whose FNV-1a(question id) mod 10 = 0 (≈ 10 %, deterministic; no question is split); their gold
/// answers are the distinct answer texts of their pairs. The test gold answers come from the golden file.
/// </summary>
internal sealed record QaDataSet(List<QaPair> Train, List<QaPair> Devel, List<QaPair> Test, Dictionary<string, string[]> Gold)
{
    public const string TrainFile = "BioASQ-train-factoid-7b.json";
    public const string TestFile = "BioASQ-test-factoid-7b.json";
    public const string GoldenFile = "7B_golden.json";

    /// <summary>The BioASQ folder of the shared data.</summary>
    public static string DefaultDirectory => Path.Combine(DataPaths.DataRoot, "qa", "bioasq");

    /// <summary>
    /// Reads and checks the three files of <paramref name="directory"/> before any work. The limits keep the first N
    /// training pairs and the first N devel and test pairs (quick runs).
    /// </summary>
    /// <exception cref="InvalidDataException">See <see cref="SquadFile.Read"/> and <see cref="BioAsqGolden.Read"/>; a test question missing from the golden file.</exception>
    public static QaDataSet Load(string directory, int? trainLimit = null, int? evalLimit = null)
    {
        string trainPath = Path.Combine(directory, TrainFile), testPath = Path.Combine(directory, TestFile), goldenPath = Path.Combine(directory, GoldenFile);
        var all = SquadFile.Read(trainPath, answersRequired: true);
        var test = SquadFile.Read(testPath, answersRequired: false);
        var golden = BioAsqGolden.Read(goldenPath);
        BioAsqGolden.RequireEvery(test, golden, testPath, goldenPath);

        var devel = all.Where(p => IsDevel(p.QuestionId)).ToList();
        var train = all.Where(p => !IsDevel(p.QuestionId)).ToList();
        if (devel.Count == 0 || train.Count == 0)
        {
            throw new InvalidDataException(
                $"{trainPath}: the devel split (questions whose FNV-1a(id) mod 10 is 0) or the train split is empty; the file needs more questions (it has {all.Select(p => p.QuestionId).Distinct().Count()}).");
        }
        var gold = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var question in devel.GroupBy(p => p.QuestionId))
        {
            gold[question.Key] = [.. question.SelectMany(p => p.Answers).Select(a => a.Text).Distinct(StringComparer.Ordinal)];
        }
        foreach (var pair in test)
        {
            gold[pair.QuestionId] = golden[pair.QuestionId];
        }
        return new QaDataSet(Limit(train, trainLimit), Limit(devel, evalLimit), Limit(test, evalLimit), gold);
    }

    private static bool IsDevel(string questionId) => Fnv1a.Hash(questionId) % 10 == 0;

    private static List<QaPair> Limit(List<QaPair> pairs, int? limit) => limit is int n && n < pairs.Count ? pairs[..n] : pairs;
}

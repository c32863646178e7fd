namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Random initialisation against a pretrained checkpoint: both arms run the same fine-tuning with the same options and
/// the same seeds (Seed, Seed + 1, …), and the test scores of each run are kept.
/// When the "pretrained" side is itself <c>random</c>, its encoder weights use other seeds
/// (<see cref="FineTuningOptions.EncoderSeedOffset"/> = 1000): a check of the machinery, not a comparison.
/// </summary>
internal static class InitComparison
{
    public const int SecondRandomSeedOffset = 1000;

    /// <summary>
    /// Runs <paramref name="fineTune"/> (init, vocabulary or null, options → test scores) for each arm and seed.
    /// <paramref name="vocabPath"/> is the random arm's vocabulary; a checkpoint brings its own vocab.txt.
    /// </summary>
    public static IReadOnlyList<ComparisonArm> Run(string pretrained, string? vocabPath, FineTuningOptions options, int seeds,
        Func<string, string?, FineTuningOptions, double[]> fineTune, Action<string> log)
    {
        if (seeds < 1)
        {
            throw new ArgumentException($"seeds must be at least 1, not {seeds}.");
        }
        bool secondRandom = pretrained == EncoderInitialization.Random;
        if (!secondRandom && Directory.Exists(pretrained))
        {
            EncoderInitialization.CheckVocabulary(pretrained, null); // before the random arm's runs, not after them
        }
        var arms = new[]
        {
            (Name: "random init", Init: EncoderInitialization.Random, Offset: 0),
            (Name: secondRandom ? "random init (other weights)" : "pretrained", Init: pretrained, Offset: secondRandom ? SecondRandomSeedOffset : 0),
        };
        return [.. arms.Select(arm => new ComparisonArm(arm.Name, arm.Init, [.. Enumerable.Range(0, seeds).Select(i =>
        {
            var runOptions = options with { Seed = options.Seed + i, EncoderSeedOffset = arm.Offset };
            log($"== {arm.Name}, seed {runOptions.Seed} ==");
            return fineTune(arm.Init, arm.Init == EncoderInitialization.Random ? vocabPath : null, runOptions);
        })]))];
    }
}

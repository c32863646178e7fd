using System.Globalization;
using System.Text.RegularExpressions;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The checkpoints of a run directory: <c>checkpoint-&lt;step&gt;/</c> = a Hugging Face checkpoint (model.safetensors,
/// config.json, vocab.txt) + <c>trainer_state.json</c> + <c>optimizer.bin</c> (<see cref="AdamWStateFile"/>).
/// <para>
/// A checkpoint appears atomically: everything is written into <c>checkpoint-&lt;step&gt;.tmp</c>, which is renamed
/// to <c>checkpoint-&lt;step&gt;</c> only when complete. Only directories named exactly <c>checkpoint-&lt;step&gt;</c>
/// count, so a kill at any moment leaves the earlier checkpoints intact and loadable; what a kill leaves behind is
/// removed by <see cref="CleanLeftovers"/> when the next run starts in the directory.
/// </para>
/// </summary>
internal static partial class RunCheckpoints
{
    /// <summary>The optimizer state file inside a checkpoint.</summary>
    public const string OptimizerFileName = "optimizer.bin";

    /// <summary>The directory of the checkpoint at <paramref name="step"/>.</summary>
    public static string PathFor(string runDirectory, long step) =>
        Path.Combine(runDirectory, $"checkpoint-{step.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Writes the checkpoint of <paramref name="state"/>.Step, then deletes all but the newest <paramref name="keep"/>.</summary>
    public static string Save(string runDirectory, BertForPreTraining model, string vocabPath, AdamW optimizer, TrainerState state, int keep)
    {
        string final = PathFor(runDirectory, state.Step);
        string temporary = final + ".tmp";
        DeleteIfExists(temporary);
        model.Save(temporary, vocabPath, new Dictionary<string, string> { ["step"] = state.Step.ToString(CultureInfo.InvariantCulture) });
        AdamWStateFile.Save(optimizer, Path.Combine(temporary, OptimizerFileName));
        state.Save(Path.Combine(temporary, TrainerState.FileName));
        if (Directory.Exists(final))
        {
            string old = final + ".old";
            DeleteIfExists(old);
            Directory.Move(final, old);
            Directory.Move(temporary, final);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(temporary, final);
        }
        foreach (var (_, stale) in Complete(runDirectory).SkipLast(keep))
        {
            // Rename first: a kill during the recursive delete must not leave a half-deleted "checkpoint-<step>".
            string doomed = stale + ".stale";
            DeleteIfExists(doomed);
            Directory.Move(stale, doomed);
            Directory.Delete(doomed, recursive: true);
        }
        return final;
    }

    /// <summary>
    /// Removes what a killed save left in <paramref name="runDirectory"/>: <c>checkpoint-&lt;step&gt;.tmp</c> (being
    /// written), <c>checkpoint-&lt;step&gt;.stale</c> (being pruned), <c>checkpoint-&lt;step&gt;.old</c> (being replaced:
    /// deleted when <c>checkpoint-&lt;step&gt;</c> is complete, otherwise renamed back, as it is then the only copy), and
    /// the temporary files and folders of atomic writes (<see cref="CheckpointDirectory.CleanLeftovers"/>). Complete
    /// checkpoints are never touched.
    /// </summary>
    /// <returns>The names of the removed entries.</returns>
    public static List<string> CleanLeftovers(string runDirectory)
    {
        var removed = CheckpointDirectory.CleanLeftovers(runDirectory);
        if (!Directory.Exists(runDirectory))
        {
            return removed;
        }
        foreach (string path in Directory.EnumerateDirectories(runDirectory).ToList())
        {
            var match = LeftoverName().Match(Path.GetFileName(path));
            if (!match.Success)
            {
                continue;
            }
            string final = Path.Combine(runDirectory, match.Groups[1].Value);
            if (match.Groups[2].Value == "old" && !File.Exists(Path.Combine(final, TrainerState.FileName)))
            {
                DeleteIfExists(final);
                Directory.Move(path, final);
                removed.Add($"{Path.GetFileName(path)} → {Path.GetFileName(final)}");
                continue;
            }
            Directory.Delete(path, recursive: true);
            removed.Add(Path.GetFileName(path));
        }
        return removed;
    }

    /// <summary>
    /// Loads the weights of <paramref name="checkpoint"/> into <paramref name="model"/> (in place, so every view of
    /// its parameters sees them) and returns the checkpoint's trainer state and optimizer.
    /// </summary>
    public static (TrainerState State, AdamW Optimizer) Restore(string checkpoint, BertForPreTraining model)
    {
        var state = TrainerState.Load(Path.Combine(checkpoint, TrainerState.FileName));
        var optimizer = AdamWStateFile.Load(Path.Combine(checkpoint, OptimizerFileName));
        CheckpointDirectory.LoadParameters(checkpoint, model.NamedParameters);
        return (state, optimizer);
    }

    /// <summary>The newest complete checkpoint of <paramref name="runDirectory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">There is none.</exception>
    public static string Latest(string runDirectory)
    {
        var all = Directory.Exists(runDirectory) ? Complete(runDirectory) : [];
        return all.Count > 0
            ? all[^1].Path
            : throw new DirectoryNotFoundException($"Run directory '{runDirectory}' has no complete checkpoint-<step> directory to resume from.");
    }

    /// <summary>Complete checkpoints (with a trainer state) in ascending step order.</summary>
    private static List<(long Step, string Path)> Complete(string runDirectory) =>
        Directory.EnumerateDirectories(runDirectory)
            .Select(path => (Match: CheckpointName().Match(Path.GetFileName(path)), Path: path))
            .Where(c => c.Match.Success && File.Exists(System.IO.Path.Combine(c.Path, TrainerState.FileName)))
            .Select(c => (long.Parse(c.Match.Groups[1].Value, CultureInfo.InvariantCulture), c.Path))
            .OrderBy(c => c.Item1)
            .ToList();

    private static void DeleteIfExists(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [GeneratedRegex(@"^checkpoint-(\d+)$")]
    private static partial Regex CheckpointName();

    [GeneratedRegex(@"^(checkpoint-\d+)\.(tmp|old|stale)$")]
    private static partial Regex LeftoverName();
}

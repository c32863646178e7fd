using System.Text.Json;
using System.Text.Json.Serialization;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The trainer's state in a checkpoint (<c>trainer_state.json</c>): with the weights and the AdamW state it is all
/// a resumed run needs. There is no random-generator state to save: data batches are pure functions of
/// (seed, epoch, batch index) and dropout masks of (seed, step, micro-batch) (see <see cref="DropoutSeeds"/>).
/// </summary>
internal sealed record TrainerState
{
    /// <summary>The file name inside a checkpoint directory.</summary>
    public const string FileName = "trainer_state.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    /// <summary>Optimizer steps completed.</summary>
    public required long Step { get; init; }

    /// <summary>Where the next training batch comes from.</summary>
    public required DataCursor Cursor { get; init; }

    /// <summary>
    /// Whether a two-phase schedule (<see cref="PretrainingOptions.FirstPhase"/>) had switched to its second phase, so that
    /// <see cref="Cursor"/> counts the second phase's batches. False in states saved before the field existed: their
    /// schedule, if any, was the sequence-length one, whose cursor is the same in both phases.
    /// </summary>
    public bool SecondPhaseBegun { get; init; }

    /// <summary>The learning-rate schedule's total steps T (fixed once chosen).</summary>
    public required long ScheduleTotalSteps { get; init; }

    /// <summary>Wall-clock seconds of training so far, across resumes.</summary>
    public required double ElapsedSeconds { get; init; }

    /// <summary>Lowest held-out loss so far, and its step.</summary>
    public double? BestEvalLoss { get; init; }

    /// <summary>The step of <see cref="BestEvalLoss"/>.</summary>
    public long? BestEvalStep { get; init; }

    /// <summary>The run's settings.</summary>
    public required PretrainingOptions Options { get; init; }

    /// <summary>Writes the state atomically (<c>path.tmp</c>, then rename).</summary>
    public void Save(string path)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a state file; <see cref="InvalidDataException"/> names the file when it is malformed.</summary>
    public static TrainerState Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Trainer state '{path}' does not exist.", path);
        }
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException($"{path}: the file holds JSON null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid trainer state: {e.Message}", e);
        }
    }
}

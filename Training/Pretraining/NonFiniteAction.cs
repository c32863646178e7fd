using MiniBioBert.Training.Commands;

namespace MiniBioBert.Training.Pretraining;

/// <summary>What the pretraining trainer does when a step's loss or gradient is NaN or infinite (<c>--on-non-finite</c>).</summary>
public enum NonFiniteAction
{
    /// <summary>Skip the update and go on with the next batch (the weights and the optimizer stay as they were).</summary>
    Skip,

    /// <summary>
    /// Restore the weights, the optimizer and the step of the newest checkpoint and go on with the batch after the
    /// failed one (see <see cref="PretrainingTrainer"/>).
    /// </summary>
    Rollback,
}

/// <summary>The command-line spelling of <see cref="NonFiniteAction"/>.</summary>
public static class NonFiniteActionText
{
    /// <summary>The accepted values, in the order of <see cref="NonFiniteAction"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["skip", "rollback"];

    /// <summary>"skip" or "rollback" (case-insensitive); <see cref="ArgumentException"/> names the option otherwise.</summary>
    public static NonFiniteAction Parse(string text) => EnumChoice.Parse<NonFiniteAction>("--on-non-finite", text, Names);
}

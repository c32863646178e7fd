using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary>The command-line spelling of <see cref="NonFiniteAction"/>.</summary>
internal static class NonFiniteActionText
{
    /// <summary>The accepted values, in the order of <see cref="NonFiniteAction"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["skip", "rollback"];

    /// <summary>"skip" or "rollback" (case-insensitive); <see cref="ArgumentException"/> names the option otherwise.</summary>
    public static NonFiniteAction Parse(string text) => EnumChoice.Parse<NonFiniteAction>("--on-non-finite", text, Names);
}

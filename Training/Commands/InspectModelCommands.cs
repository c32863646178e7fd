using System.CommandLine;

namespace MiniBioBert.Training.Commands;

/// <summary>The subcommands of <c>inspect</c> that look inside a trained model: <c>attention</c> and <c>fill-mask</c>.</summary>
internal static class InspectModelCommands
{
    public static IEnumerable<Command> CreateSubcommands() => [InspectAttentionCommand.Create(), InspectFillMaskCommand.Create()];

    /// <summary>The <c>--checkpoint DIR</c> option both subcommands take.</summary>
    internal static Option<string> CheckpointOption() => new("--checkpoint")
    {
        Description = "Checkpoint directory (config.json, model.safetensors, vocab.txt).",
        Required = true,
    };

    /// <summary>
    /// Runs a command body; expected failures (bad input, missing or malformed files) print "error: message" on
    /// the error writer and give exit code 1 instead of a stack trace.
    /// </summary>
    internal static int RunReportingErrors(ParseResult parseResult, Func<TextWriter, int> body)
    {
        try
        {
            return body(parseResult.InvocationConfiguration.Output);
        }
        catch (Exception exception) when (exception is InvalidDataException or ArgumentException or IOException)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"error: {MessageOf(exception)}");
            return 1;
        }
    }

    /// <summary>The message without the " (Parameter 'name')" suffix that <see cref="ArgumentException"/> appends.</summary>
    private static string MessageOf(Exception exception)
    {
        string message = exception.Message;
        string suffix = exception is ArgumentException { ParamName: { } name } ? $" (Parameter '{name}')" : "";
        return suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}

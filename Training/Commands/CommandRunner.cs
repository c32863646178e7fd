using MiniBioBert.Engine.Gpu;
using System.CommandLine;

namespace MiniBioBert.Training.Commands;

/// <summary>
/// Runs a command line: parse errors and the known exceptions of command actions become one line
/// <c>error: …</c> on the error writer and an exit code (2: bad usage, 1: failure at run time), never a stack trace.
/// </summary>
internal static class CommandRunner
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a failure at run time (missing or malformed files, disk problems).</summary>
    public const int RuntimeError = 1;

    /// <summary>Exit code of a bad command line (unknown option, value out of range).</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen action.</summary>
    public static int Invoke(RootCommand root, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            error.WriteLine($"error: {parseResult.Errors[0].Message}");
            error.WriteLine("Run with --help to see the commands and options.");
            return UsageError;
        }
        return parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Sets <paramref name="action"/> as the action of <paramref name="command"/>, with the error handling above.</summary>
    public static void SetAction(Command command, Func<ParseResult, TextWriter, int> action)
    {
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                return action(parseResult, output);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"error: {e.Message}");
                return UsageError;
            }
            catch (Exception e) when (GpuFailure.Describe(e) is { } deviceFailure)
            {
                error.WriteLine($"error: {deviceFailure}");
                return RuntimeError;
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException
                or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                error.WriteLine($"error: {e.Message}");
                return RuntimeError;
            }
        });
    }
}

using System.Text;
using System.Text.RegularExpressions;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Training;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Reliability;

/// <summary>What one command line printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Runs the Training command line in this process, exactly as <c>Program.Main</c> does, with stdout and stderr
/// captured, in <see cref="Sandbox.Root"/>, restoring the thread count after. An exception that escapes
/// <see cref="CommandRunner"/> would be a stack trace for the user, so it fails the test.
/// </summary>
internal static partial class Cli
{
    private static readonly Lock ConsoleLock = new();

    public static CliResult Run(Sandbox sandbox, params string[] args)
    {
        lock (ConsoleLock)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            TextWriter originalOut = Console.Out, originalError = Console.Error;
            string originalDirectory = Environment.CurrentDirectory;
            int originalThreads = CpuParallel.ThreadCount;
            Console.SetOut(output);
            Console.SetError(error);
            Environment.CurrentDirectory = sandbox.Root;
            try
            {
                int code = CommandRunner.Invoke(Program.CreateRootCommand(), args, output, error);
                return new CliResult(code, output.ToString(), error.ToString());
            }
            catch (Exception e)
            {
                Assert.Fail($"'{string.Join(' ', args)}' crashed with an unhandled {e.GetType().Name} (a stack trace for the user): {e.Message}\n{e.StackTrace}");
                throw;
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
                Environment.CurrentDirectory = originalDirectory;
                CpuParallel.ThreadCount = originalThreads;
            }
        }
    }

    /// <summary>
    /// The contract for bad input: the given exit code, one <c>error:</c> line naming what is wrong (every part of
    /// <paramref name="mentions"/>, case-insensitive), and no stack frame or exception type dump.
    /// </summary>
    public static void AssertCleanFailure(CliResult result, int exitCode, params string[] mentions)
    {
        TestContext.Out.WriteLine(result.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
            Assert.That(result.Error, Does.StartWith("error: "), "the first line of stderr is the error");
            foreach (string mention in mentions)
            {
                Assert.That(result.Error, Does.Contain(mention).IgnoreCase, $"the message names '{mention}'");
            }
            Assert.That(StackFrame().IsMatch(result.All), Is.False, "no stack frames in the output");
            Assert.That(ExceptionDump().IsMatch(result.All), Is.False, "no exception type dump in the output");
        });
    }

    /// <summary>The one-line error message (for the docs table).</summary>
    public static string FirstErrorLine(CliResult result) => result.Error.Split('\n')[0].Trim();

    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\b\w+(\.\w+)*Exception:")]
    private static partial Regex ExceptionDump();
}

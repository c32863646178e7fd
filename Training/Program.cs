using System.CommandLine;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Training;

/// <summary>The Mini-BioBERT command line; <c>train</c> runs when no command is given.</summary>
internal static class Program
{
    public static int Main(string[] args) => CommandRunner.Invoke(CreateRootCommand(), args, Console.Out, Console.Error);

    /// <summary>Every command, one line each.</summary>
    internal static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("Mini-BioBERT: pretrain and inspect a small biomedical BERT on the CPU. Without a command: train.");
        TrainCommand.SetAsDefault(root);
        root.Add(TrainCommand.Create());
        root.Add(EvalCommand.Create());
        root.Add(LossCommand.Create());
        root.Add(TokenizerCommand.Create());
        root.Add(InspectCommand.Create());
        root.Add(FinetuneCommand.Create());
        root.Add(PredictCommand.Create());
        root.Add(CompareCommand.Create());
        root.Add(ExportCommand.Create());
        return root;
    }
}

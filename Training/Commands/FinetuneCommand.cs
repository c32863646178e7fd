using System.CommandLine;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Training.Commands;

/// <summary><c>finetune ner</c>, <c>finetune classify</c> and <c>finetune qa</c>: fine-tune an encoder on a downstream task.</summary>
internal static class FinetuneCommand
{
    public static Command Create()
    {
        var command = new Command("finetune", "Fine-tune a checkpoint (or a random model) on a downstream task.");
        command.Subcommands.Add(CreateNer());
        command.Subcommands.Add(FinetuneClassifyCommand.Create());
        command.Subcommands.Add(FinetuneQaCommand.Create());
        return command;
    }

    private static Command CreateNer()
    {
        var command = new Command("ner", "Token classification on an IOB folder (train.tsv, devel.tsv, test.tsv), scored like conlleval.");
        var data = new Option<string>("--data") { Description = "Folder with train.tsv, devel.tsv and test.tsv (word<TAB>tag).", Required = true };
        var init = new Option<string>("--init") { Description = "A checkpoint directory, or 'random'.", Required = true };
        var output = new Option<string>("--output") { Description = "Where the best checkpoint, predictions and scores go.", DefaultValueFactory = _ => Path.Combine("runs", "finetune-ner") };
        var shared = new FinetuneCommandOptions(_ => FineTuningLearningRates.Ner);
        command.Options.Add(data);
        command.Options.Add(init);
        command.Options.Add(output);
        shared.AddTo(command);
        shared.SetAction(command, (result, options) =>
        {
            string outputDirectory = result.GetValue(output)!;
            FinetuneCommandOptions.PrepareOutputFolder("--output", outputDirectory);
            FinetuneCommandOptions.CheckInit(result.GetValue(init)!, result.GetValue(shared.Vocab));
            var dataSet = NerDataSet.Load(result.GetValue(data)!, options.TrainLimit, options.EvalLimit);
            var run = NerFineTuning.Run(dataSet, result.GetValue(init)!, result.GetValue(shared.Vocab), options, outputDirectory, Console.WriteLine);
            Console.WriteLine($"test entity F1 (micro): {100 * run.Test.Micro.F1:F2}");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Training.Commands;

/// <summary><c>finetune classify --task nicta-piboso|hoc|pubmedqa</c>: sentence (or sentence-pair) classification on the pooled [CLS].</summary>
internal static class FinetuneClassifyCommand
{
    public static Command Create()
    {
        var command = new Command("classify", "Sentence classification: NICTA-PIBOSO roles (single-label), Hallmarks of Cancer (multi-label) or PubMedQA (question + abstract → yes / no / maybe).");
        var task = new Option<string>("--task") { Description = "nicta-piboso, hoc or pubmedqa.", Required = true };
        task.AcceptOnlyFromAmong(ClassificationDataSet.Piboso, ClassificationDataSet.Hoc, ClassificationDataSet.PubMedQa);
        var init = new Option<string>("--init") { Description = "A checkpoint directory, or 'random'.", DefaultValueFactory = _ => EncoderInitialization.Random };
        var output = new Option<string?>("--output") { Description = "Where the best checkpoint and scores go (default runs/finetune-<task>)." };
        var shared = new FinetuneCommandOptions(result => FineTuningLearningRates.For(result.GetValue(task)!));
        command.Options.Add(task);
        command.Options.Add(init);
        command.Options.Add(output);
        shared.AddTo(command);
        shared.SetAction(command, (result, options) =>
        {
            string taskName = result.GetValue(task)!;
            string outputDirectory = result.GetValue(output) ?? Path.Combine("runs", "finetune-" + taskName);
            FinetuneCommandOptions.PrepareOutputFolder("--output", outputDirectory);
            FinetuneCommandOptions.CheckInit(result.GetValue(init)!, result.GetValue(shared.Vocab));
            var data = ClassificationDataSet.Load(taskName, DataPaths.DataRoot, options.TrainLimit, options.EvalLimit);
            var (_, _, test) = ClassificationFineTuning.Run(data, result.GetValue(init)!, result.GetValue(shared.Vocab), options,
                outputDirectory, Console.WriteLine);
            Console.WriteLine($"test accuracy {100 * test.Accuracy:F2}%, macro F1 {100 * test.MacroF1:F2}");
            if (data.Task == Model.Downstream.FineTuningTask.SingleLabelClassification)
            {
                Console.WriteLine($"majority baseline (always '{data.MajorityLabel}', the most frequent training label) on test: accuracy {100 * data.MajorityTestAccuracy:F2}%");
            }
            return 0;
        });
        return command;
    }
}

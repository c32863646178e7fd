using System.CommandLine;
using System.Globalization;
using MiniBioBert.Training.Downstream;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary><c>compare --task ner</c>: random initialisation against a pretrained checkpoint, same settings and seeds.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var command = new Command("compare", "Fine-tune from random init and from a pretrained checkpoint with identical settings and seeds; report mean ± std test F1.");
        var task = new Option<string>("--task") { Description = "The downstream task (ner).", DefaultValueFactory = _ => "ner" };
        task.AcceptOnlyFromAmong("ner");
        var data = new Option<string>("--data") { Description = "IOB folder with train.tsv, devel.tsv, test.tsv.", Required = true };
        var pretrained = new Option<string>("--pretrained") { Description = "The pretrained checkpoint directory ('random' checks the machinery with a second random init).", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "Runs per initialisation (seeds --seed, --seed + 1, …).", DefaultValueFactory = _ => 3 };
        var doc = new Option<string>("--doc") { Description = "Markdown file that receives the table.", DefaultValueFactory = _ => Path.Combine("docs", "downstream.md") };
        var image = new Option<string>("--image") { Description = "Bar plot PNG.", DefaultValueFactory = _ => Path.Combine("docs", "images", "downstream-ner-compare.png") };
        var shared = new FinetuneCommandOptions(_ => FineTuningLearningRates.Ner);
        foreach (Option option in new Option[] { task, data, pretrained, seeds, doc, image })
        {
            command.Options.Add(option);
        }
        shared.AddTo(command);
        shared.SetAction(command, (result, options) =>
        {
            string dataDirectory = result.GetValue(data)!;
            OutputDirectoryCheck.EnsureFileCanBeWritten("--doc", result.GetValue(doc)!);
            OutputDirectoryCheck.EnsureFileCanBeWritten("--image", result.GetValue(image)!);
            var dataSet = NerDataSet.Load(dataDirectory, options.TrainLimit, options.EvalLimit);
            var arms = InitComparison.Run(dataSet, result.GetValue(pretrained)!, result.GetValue(shared.Vocab), options, result.GetValue(seeds), Console.WriteLine);

            string docPath = result.GetValue(doc)!, imagePath = result.GetValue(image)!;
            string settings = string.Create(CultureInfo.InvariantCulture,
                $"data `{Path.GetFileName(Path.TrimEndingDirectorySeparator(dataDirectory))}` ({dataSet.Train.Count} train / {dataSet.Devel.Count} devel / {dataSet.Test.Count} test sentences), " +
                $"epochs {options.Epochs}, batch {options.BatchSize}, lr {options.LearningRate}, max-seq {options.MaxSequenceLength}, patience {options.Patience}, " +
                $"seeds {options.Seed}…{options.Seed + result.GetValue(seeds) - 1}.");
            ComparisonReport.Plot(arms, $"NER test F1: {arms[0].Name} vs {arms[1].Name}", imagePath);
            string imageLink = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(docPath))!, Path.GetFullPath(imagePath)).Replace('\\', '/');
            ComparisonReport.UpdateMarkdown(docPath, ComparisonReport.Markdown(arms, settings, imageLink));
            foreach (var arm in arms)
            {
                Console.WriteLine($"{arm.Name}: test F1 {100 * arm.Mean:F2} ± {100 * arm.StandardDeviation:F2}");
            }
            Console.WriteLine($"wrote {docPath} and {imagePath}");
            return 0;
        });
        return command;
    }
}

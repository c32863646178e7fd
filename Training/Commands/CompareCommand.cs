using System.CommandLine;
using System.Globalization;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary><c>compare --task ner|qa|pubmedqa</c>: random initialisation against a pretrained checkpoint, same settings and seeds.</summary>
internal static class CompareCommand
{
    private static readonly ComparisonMetric EntityF1 = new("F1", "entity F1 (micro)");
    private static readonly ComparisonMetric[] BioAsqMetrics = [new("MRR", "MRR"), new("strict accuracy", "strict accuracy"), new("lenient accuracy", "lenient accuracy")];
    private static readonly ComparisonMetric[] ClassificationMetrics = [new("accuracy", "accuracy"), new("macro F1", "macro F1")];

    public static Command Create()
    {
        var command = new Command("compare", "Fine-tune from random init and from a pretrained checkpoint with identical settings and seeds; report mean ± std of the test scores.");
        var task = new Option<string>("--task") { Description = "The downstream task: ner (BC5CDR F1), qa (BioASQ factoid MRR, strict and lenient accuracy) or pubmedqa (accuracy, macro F1).", DefaultValueFactory = _ => "ner" };
        task.AcceptOnlyFromAmong("ner", "qa", ClassificationDataSet.PubMedQa);
        var data = new Option<string?>("--data") { Description = "ner: the IOB folder with train.tsv, devel.tsv, test.tsv (required); qa: the BioASQ folder (default: the shared data's); pubmedqa reads the shared data." };
        var pretrained = new Option<string>("--pretrained") { Description = "The pretrained checkpoint directory ('random' checks the machinery with a second random init).", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "Runs per initialisation (seeds --seed, --seed + 1, …).", DefaultValueFactory = _ => 3 };
        var doc = new Option<string>("--doc") { Description = "Markdown file that receives the table.", DefaultValueFactory = _ => Path.Combine("docs", "downstream.md") };
        var image = new Option<string?>("--image") { Description = "Bar plot PNG (default docs/images/downstream-<task>-compare.png)." };
        var shared = new FinetuneCommandOptions(result => FineTuningLearningRates.For(result.GetValue(task)!));
        var qa = new QaCommandOptions();
        foreach (Option option in new Option[] { task, data, pretrained, seeds, doc, image })
        {
            command.Options.Add(option);
        }
        qa.AddTo(command);
        shared.AddTo(command);
        shared.SetAction(command, (result, options) =>
        {
            string taskName = result.GetValue(task)!;
            string docPath = result.GetValue(doc)!, imagePath = result.GetValue(image) ?? Path.Combine("docs", "images", $"downstream-{taskName}-compare.png");
            OutputDirectoryCheck.EnsureFileCanBeWritten("--doc", docPath);
            OutputDirectoryCheck.EnsureFileCanBeWritten("--image", imagePath);
            var (metrics, dataText, fineTune) = Task(taskName, result.GetValue(data), qa.Read(result), options);
            var arms = InitComparison.Run(result.GetValue(pretrained)!, result.GetValue(shared.Vocab), options, result.GetValue(seeds), fineTune, Console.WriteLine);

            string settings = string.Create(CultureInfo.InvariantCulture,
                $"data {dataText}, epochs {options.Epochs}, batch {options.BatchSize}, lr {options.LearningRate}, max-seq {options.MaxSequenceLength}, patience {options.Patience}, " +
                $"seeds {options.Seed}…{options.Seed + result.GetValue(seeds) - 1}.");
            ComparisonReport.Plot(arms, $"{taskName.ToUpperInvariant()} test {metrics[0].Short}: {arms[0].Name} vs {arms[1].Name}", $"test {metrics[0].Long} (%)", imagePath);
            string imageLink = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(docPath))!, Path.GetFullPath(imagePath)).Replace('\\', '/');
            ComparisonReport.UpdateMarkdown(docPath, taskName, ComparisonReport.Markdown(taskName, arms, metrics, settings, imageLink));
            foreach (var arm in arms)
            {
                Console.WriteLine($"{arm.Name}: " + string.Join(", ", metrics.Select((m, i) => string.Create(CultureInfo.InvariantCulture,
                    $"test {m.Short} {100 * arm.MeanOf(i):F2} ± {100 * arm.StandardDeviationOf(i):F2}"))));
            }
            Console.WriteLine($"wrote {docPath} and {imagePath}");
            return 0;
        });
        return command;
    }

    /// <summary>The task's metrics, a description of its data for the settings line, and one fine-tuning run (init, vocabulary, options → scores).</summary>
    private static (ComparisonMetric[] Metrics, string Data, Func<string, string?, FineTuningOptions, double[]> FineTune) Task(string task, string? data,
        QaOptions qa, FineTuningOptions options)
    {
        switch (task)
        {
            case "ner":
                {
                    string directory = data ?? throw new ArgumentException("compare --task ner needs --data (the IOB folder).");
                    var dataSet = NerDataSet.Load(directory, options.TrainLimit, options.EvalLimit);
                    return ([EntityF1], $"`{Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))}` ({dataSet.Train.Count} train / {dataSet.Devel.Count} devel / {dataSet.Test.Count} test sentences)",
                        (init, vocab, runOptions) => [NerFineTuning.Run(dataSet, init, vocab, runOptions, null, Console.WriteLine).Test.Micro.F1]);
                }
            case "qa":
                {
                    var dataSet = QaDataSet.Load(data ?? QaDataSet.DefaultDirectory, options.TrainLimit, options.EvalLimit);
                    return (BioAsqMetrics, $"BioASQ 7b factoid ({dataSet.Train.Count} train / {dataSet.Devel.Count} devel / {dataSet.Test.Count} test pairs; doc-stride {qa.DocStride}, max-question {qa.MaxQuestionLength}, max-answer {qa.MaxAnswerLength})",
                        (init, vocab, runOptions) =>
                        {
                            var test = QaFineTuning.Run(dataSet, init, vocab, runOptions, qa, null, Console.WriteLine).Test;
                            return [test.MeanReciprocalRank, test.StrictAccuracy, test.LenientAccuracy];
                        }
                    );
                }
            default:
                {
                    var dataSet = ClassificationDataSet.Load(task, DataPaths.DataRoot, options.TrainLimit, options.EvalLimit);
                    return (ClassificationMetrics, string.Create(CultureInfo.InvariantCulture,
                        $"{task} ({dataSet.Train.Count} train / {dataSet.Devel.Count} devel / {dataSet.Test.Count} test; majority baseline '{dataSet.MajorityLabel}' {100 * dataSet.MajorityTestAccuracy:F1} % test accuracy)"),
                        (init, vocab, runOptions) =>
                        {
                            var (_, _, test) = ClassificationFineTuning.Run(dataSet, init, vocab, runOptions, null, Console.WriteLine);
                            return [test.Accuracy, test.MacroF1];
                        }
                    );
                }
        }
    }
}

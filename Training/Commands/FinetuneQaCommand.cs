using System.CommandLine;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Training.Commands;

/// <summary><c>finetune qa</c>: extractive question answering on BioASQ factoid questions (SQuAD-format files).</summary>
internal static class FinetuneQaCommand
{
    public static Command Create()
    {
        var command = new Command("qa", "Extractive question answering on BioASQ factoid questions; strict/lenient accuracy and MRR against the golden file.");
        var data = new Option<string?>("--data") { Description = $"Folder with {QaDataSet.TrainFile}, {QaDataSet.TestFile} and {QaDataSet.GoldenFile} (default: qa/bioasq of the shared data)." };
        var init = new Option<string>("--init") { Description = "A checkpoint directory, or 'random'.", DefaultValueFactory = _ => EncoderInitialization.Random };
        var output = new Option<string>("--output") { Description = "Where the best checkpoint, test predictions and scores go.", DefaultValueFactory = _ => Path.Combine("runs", "finetune-qa") };
        var shared = new FinetuneCommandOptions(_ => FineTuningLearningRates.Qa);
        var qa = new QaCommandOptions();
        command.Options.Add(data);
        command.Options.Add(init);
        command.Options.Add(output);
        qa.AddTo(command);
        shared.AddTo(command);
        shared.SetAction(command, (result, options) =>
        {
            var qaOptions = qa.Read(result);
            string outputDirectory = result.GetValue(output)!;
            FinetuneCommandOptions.PrepareOutputFolder("--output", outputDirectory);
            FinetuneCommandOptions.CheckInit(result.GetValue(init)!, result.GetValue(shared.Vocab));
            var dataSet = QaDataSet.Load(result.GetValue(data) ?? QaDataSet.DefaultDirectory, options.TrainLimit, options.EvalLimit);
            var run = QaFineTuning.Run(dataSet, result.GetValue(init)!, result.GetValue(shared.Vocab), options, qaOptions, outputDirectory, Console.WriteLine);
            Console.WriteLine($"test strict accuracy {100 * run.Test.StrictAccuracy:F2}%, lenient accuracy {100 * run.Test.LenientAccuracy:F2}%, MRR {100 * run.Test.MeanReciprocalRank:F2}");
            return 0;
        });
        return command;
    }
}

/// <summary>The options of question answering's packing and decoding (<see cref="QaOptions"/>), shared by <c>finetune qa</c> and <c>predict qa</c>.</summary>
internal sealed class QaCommandOptions
{
    private static readonly QaOptions Defaults = new();

    public Option<int> MaxQuestion { get; } = new("--max-question") { Description = "Question pieces kept (longer questions are cut).", DefaultValueFactory = _ => Defaults.MaxQuestionLength };
    public Option<int> DocStride { get; } = new("--doc-stride") { Description = "Pieces between the starts of two windows over a long context.", DefaultValueFactory = _ => Defaults.DocStride };
    public Option<int> MaxAnswer { get; } = new("--max-answer") { Description = "The most pieces of an answer.", DefaultValueFactory = _ => Defaults.MaxAnswerLength };

    public void AddTo(Command command)
    {
        command.Options.Add(MaxQuestion);
        command.Options.Add(DocStride);
        command.Options.Add(MaxAnswer);
    }

    /// <summary>The options given; <see cref="ArgumentException"/> for an impossible value.</summary>
    public QaOptions Read(ParseResult result)
    {
        var options = new QaOptions { MaxQuestionLength = result.GetValue(MaxQuestion), DocStride = result.GetValue(DocStride), MaxAnswerLength = result.GetValue(MaxAnswer) };
        options.Validate();
        return options;
    }
}

using System.CommandLine;
using System.Globalization;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Training.Commands;

/// <summary><c>predict qa --checkpoint DIR --question "..." --context "..." [--context "..."]</c>: ranked answers from the contexts.</summary>
internal static class PredictQaCommand
{
    public static Command Create()
    {
        var command = new Command("qa", "Print the best answers to --question found in the --context texts (rank, probability, answer).");
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'finetune qa'.", Required = true };
        var question = new Option<string>("--question") { Description = "The question.", Required = true };
        var contexts = new Option<string[]>("--context") { Description = "A text that may hold the answer (repeat for several snippets).", Required = true, AllowMultipleArgumentsPerToken = false };
        var maxSeq = new Option<int>("--max-seq") { Description = "Tokens per window, [CLS] and both [SEP] included.", DefaultValueFactory = _ => 128 };
        var device = DeviceOption.Create();
        var qa = new QaCommandOptions();
        command.Options.Add(checkpoint);
        command.Options.Add(question);
        command.Options.Add(contexts);
        command.Options.Add(maxSeq);
        qa.AddTo(command);
        command.Options.Add(device);
        command.SetAction(result => FinetuneCommandOptions.Guard(() =>
        {
            var qaOptions = qa.Read(result);
            string directory = result.GetValue(checkpoint)!;
            string questionText = result.GetValue(question)!;
            if (string.IsNullOrWhiteSpace(questionText))
            {
                throw new ArgumentException("--question is empty.");
            }
            var pairs = result.GetValue(contexts)!.Select((context, i) =>
                string.IsNullOrWhiteSpace(context) ? throw new ArgumentException($"--context {i + 1} is empty.") : new QaPair($"q_{i}", "q", questionText, context, [])).ToList();
            using var computeDevice = DeviceOption.Open(result.GetValue(device)!);
            var model = BertForQuestionAnswering.Load(directory);
            EncoderInitialization.CheckSequenceLength(model.Encoder, result.GetValue(maxSeq));
            string vocabPath = CheckpointDirectory.VocabPath(directory);
            CheckpointDirectory.CheckVocabularyFits(vocabPath, directory, model.Encoder.Config.VocabSize);
            var encoder = new QaFeatureEncoder(new WordPieceTokenizer(Vocabulary.Load(vocabPath)), qaOptions, result.GetValue(maxSeq));
            model.MoveTo(computeDevice);
            var answers = QaFineTuning.Answer(model, pairs, encoder.Encode(pairs, training: false), qaOptions);
            foreach (var (answer, rank) in answers["q"].Select((a, i) => (a, i + 1)))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rank}\t{answer.Probability:F4}\t{answer.Text}"));
            }
            return 0;
        }));
        return command;
    }
}

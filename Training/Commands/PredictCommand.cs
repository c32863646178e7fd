using System.CommandLine;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Downstream;
using MiniBioBert.Training.Export;

namespace MiniBioBert.Training.Commands;

/// <summary><c>predict ner --checkpoint DIR --text "..."</c>: the entities a fine-tuned model finds in free text (and <c>predict qa</c>, <see cref="PredictQaCommand"/>).</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var command = new Command("predict", "Run a fine-tuned model on free text.");
        var ner = new Command("ner", "Print the entities (type and text) found in --text.");
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'finetune ner'.", Required = true };
        var text = new Option<string>("--text") { Description = "The text to tag.", Required = true };
        var maxSeq = new Option<int>("--max-seq") { Description = "Tokens per window, [CLS] and [SEP] included.", DefaultValueFactory = _ => 128 };
        var device = DeviceOption.Create();
        var runtime = new Option<string>("--runtime") { Description = "engine (the default) or onnx: run the model exported by 'export onnx' in ONNX Runtime (CPU).", DefaultValueFactory = _ => "engine" };
        runtime.AcceptOnlyFromAmong("engine", "onnx");
        var onnxModel = new Option<string?>("--onnx") { Description = "With --runtime onnx: the .onnx file exported from --checkpoint (labels from its metadata, vocabulary from --checkpoint)." };
        ner.Options.Add(checkpoint);
        ner.Options.Add(text);
        ner.Options.Add(maxSeq);
        ner.Options.Add(device);
        ner.Options.Add(runtime);
        ner.Options.Add(onnxModel);
        ner.SetAction(result => FinetuneCommandOptions.Guard(() =>
        {
            if (result.GetValue(runtime) == "onnx")
            {
                return OnnxPredictNer.Run(result.GetValue(checkpoint)!, result.GetValue(onnxModel), result.GetValue(text)!, result.GetValue(maxSeq));
            }
            using var computeDevice = DeviceOption.Open(result.GetValue(device)!);
            string directory = result.GetValue(checkpoint)!;
            var model = BertForFineTuning.Load(directory);
            if (model.Task != FineTuningTask.TokenClassification)
            {
                throw new ArgumentException($"'{directory}' holds a {model.Task} model, not a token classifier.");
            }
            string vocabPath = Model.Checkpoints.CheckpointDirectory.VocabPath(directory);
            Model.Checkpoints.CheckpointDirectory.CheckVocabularyFits(vocabPath, directory, model.Encoder.Config.VocabSize);
            var vocabulary = Vocabulary.Load(vocabPath);
            model.MoveTo(computeDevice);
            var encoder = new NerEncoder(new WordPieceTokenizer(vocabulary), model.Labels, result.GetValue(maxSeq));
            foreach (var entity in NerTextTagger.Entities(model, encoder, result.GetValue(text)!))
            {
                Console.WriteLine($"{entity.Type}\t{entity.Text}");
            }
            return 0;
        }));
        command.Subcommands.Add(ner);
        command.Subcommands.Add(PredictQaCommand.Create());
        return command;
    }
}

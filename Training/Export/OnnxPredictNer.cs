using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Training.Export;

/// <summary><c>predict ner --runtime onnx</c>: the entities in free text from an exported token classifier in ONNX Runtime.</summary>
internal static class OnnxPredictNer
{
    /// <summary>Prints one "type	text" line per entity; the vocabulary and pad id come from <paramref name="checkpoint"/>.</summary>
    public static int Run(string checkpoint, string? onnxPath, string text, int maxSequenceLength)
    {
        if (onnxPath is null)
        {
            throw new ArgumentException("--runtime onnx needs --onnx FILE, the model written by 'export onnx'.");
        }
        if (!File.Exists(onnxPath))
        {
            throw new FileNotFoundException($"ONNX model '{onnxPath}' does not exist.", onnxPath);
        }
        var config = CheckpointDirectory.ReadConfig(checkpoint);
        var vocabulary = Vocabulary.Load(CheckpointDirectory.VocabPath(checkpoint));
        using var session = OpenSession(onnxPath);
        var predictor = new OnnxNerPredictor(session, config.PadTokenId);
        var encoder = new NerEncoder(new WordPieceTokenizer(vocabulary), predictor.Labels, maxSequenceLength);
        foreach (var entity in NerTextTagger.Entities(sentences => predictor.Predict(encoder, sentences), text))
        {
            Console.WriteLine($"{entity.Type}\t{entity.Text}");
        }
        return 0;
    }

    private static OnnxBertSession OpenSession(string path)
    {
        try
        {
            return new OnnxBertSession(path);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model ONNX Runtime can load: {e.Message}");
        }
    }
}

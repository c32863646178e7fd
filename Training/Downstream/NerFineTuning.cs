using MiniBioBert.Engine;
using MiniBioBert.Engine.IO;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Fine-tunes a token classifier on an IOB data set: aligns labels to word pieces (<see cref="NerEncoder"/>), trains
/// with <see cref="FineTuningLoop"/> selecting on devel entity F1 (micro), then scores the best model on devel and
/// test with <see cref="ConllEvaluator"/>. With an output folder it writes the best checkpoint (<c>checkpoint/</c>),
/// <c>devel.predictions.tsv</c>, <c>test.predictions.tsv</c> and <c>scores.txt</c>. The model runs on <see cref="FineTuningOptions.Device"/>.
/// </summary>
internal static class NerFineTuning
{
    public static NerRunResult Run(NerDataSet data, string init, string? vocabPath, FineTuningOptions options, string? outputDirectory, Action<string> log)
    {
        options.Validate();
        var (encoder, vocab) = EncoderInitialization.Create(init, vocabPath, options.Seed + options.EncoderSeedOffset);
        EncoderInitialization.CheckSequenceLength(encoder, options.MaxSequenceLength);
        var model = new BertForFineTuning(encoder, FineTuningTask.TokenClassification, data.Labels(), options.Seed);
        model.MoveTo(options.Device);
        var nerEncoder = new NerEncoder(new WordPieceTokenizer(Vocabulary.Load(vocab)), model.Labels, options.MaxSequenceLength);
        var windows = nerEncoder.Encode(data.Train);
        log($"NER: {data.Train.Count} train sentences ({windows.Count} windows of ≤ {options.MaxSequenceLength} tokens), " +
            $"{data.Devel.Count} devel, {data.Test.Count} test; labels {string.Join(" ", model.Labels)}; init {init}");

        var epochs = FineTuningLoop.Run(model.ParameterBuffers, windows.Count, (indices, context) =>
        {
            var batch = PaddedBatch.Create([.. indices.Select(i => windows[i].InputIds)], encoder.Config.PadTokenId);
            var labels = batch.PadTokenValues([.. indices.Select(i => windows[i].Labels)], Ops.IgnoreIndex);
            var logits = model.Logits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batch.BatchSize, batch.SequenceLength, context);
            return model.Loss(logits, labels, null);
        }, () => Score(model, nerEncoder, data.Devel).Scores.Micro.F1, options, log);

        var (develScores, develTags) = Score(model, nerEncoder, data.Devel);
        var (testScores, testTags) = Score(model, nerEncoder, data.Test);
        log(ConllEvaluator.Format(develScores, "devel"));
        log(ConllEvaluator.Format(testScores, "test"));
        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
            model.Save(Path.Combine(outputDirectory, "checkpoint"), vocab);
            IobFile.WritePredictions(Path.Combine(outputDirectory, "devel.predictions.tsv"), data.Devel, develTags);
            IobFile.WritePredictions(Path.Combine(outputDirectory, "test.predictions.tsv"), data.Test, testTags);
            AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, "scores.txt"), System.Text.Encoding.UTF8.GetBytes(
                ConllEvaluator.Format(develScores, "devel") + ConllEvaluator.Format(testScores, "test")));
            log($"wrote {outputDirectory}/checkpoint, devel/test predictions and scores.txt");
        }
        return new NerRunResult(epochs, develScores, testScores);
    }

    private static (NerScores Scores, string[][] Tags) Score(BertForFineTuning model, NerEncoder encoder, List<TaggedSentence> sentences)
    {
        var predicted = NerPredictor.Predict(model, encoder, sentences);
        return (ConllEvaluator.Evaluate([.. sentences.Select(s => s.Tags)], predicted), predicted);
    }
}

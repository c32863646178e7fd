using System.Text;
using System.Text.Json;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.IO;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Layers;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Downstream;

/// <summary>The epochs of a question-answering run and the scores of its best model.</summary>
internal sealed record QaRunResult(List<EpochRecord> Epochs, BioAsqScores Devel, BioAsqScores Test);

/// <summary>
/// Fine-tunes extractive question answering: pairs packed into windows (<see cref="QaFeatureEncoder"/>), a
/// <see cref="SpanHead"/> trained with <see cref="FineTuningLoop"/> on the start and end cross-entropy, selecting the
/// epoch on devel MRR; answers decoded by <see cref="SpanDecoder"/> and scored by <see cref="BioAsqScores"/>. With an
/// output folder it writes the best checkpoint (<c>checkpoint/</c>), <c>test.predictions.json</c> (each test question's
/// ranked answers) and <c>scores.txt</c>. The model runs on <see cref="FineTuningOptions.Device"/>.
/// </summary>
internal static class QaFineTuning
{
    public static QaRunResult Run(QaDataSet data, string init, string? vocabPath, FineTuningOptions options, QaOptions qa, string? outputDirectory,
        Action<string> log)
    {
        options.Validate();
        qa.Validate();
        var (encoder, vocab) = EncoderInitialization.Create(init, vocabPath, options.Seed + options.EncoderSeedOffset);
        EncoderInitialization.CheckSequenceLength(encoder, options.MaxSequenceLength);
        var model = new BertForQuestionAnswering(encoder, options.Seed);
        model.MoveTo(options.Device);
        var featureEncoder = new QaFeatureEncoder(new WordPieceTokenizer(Vocabulary.Load(vocab)), qa, options.MaxSequenceLength);
        var train = featureEncoder.Encode(data.Train, training: true);
        var devel = featureEncoder.Encode(data.Devel, training: false);
        var test = featureEncoder.Encode(data.Test, training: false);
        log($"BioASQ factoid: {data.Train.Count} train pairs ({train.Count} windows of ≤ {options.MaxSequenceLength} pieces, " +
            $"{train.Count(f => f.Start == 0)} without the answer), {data.Devel.Count} devel pairs, {data.Test.Count} test pairs; init {init}");

        var epochs = FineTuningLoop.Run(model.ParameterBuffers, train.Count, (indices, context) =>
        {
            var features = indices.Select(i => train[i]).ToList();
            var (batch, answerPositions) = Pack(features, encoder.Config.PadTokenId);
            var spanLogits = model.SpanLogits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, answerPositions, batch.BatchSize,
                batch.SequenceLength, context);
            return BertForQuestionAnswering.Loss(spanLogits, [.. features.Select(f => f.Start)], [.. features.Select(f => f.End)]);
        }, () => Score(model, data.Devel, devel, data.Gold, qa).Scores.MeanReciprocalRank, options, log);

        var (develScores, _) = Score(model, data.Devel, devel, data.Gold, qa);
        var (testScores, testAnswers) = Score(model, data.Test, test, data.Gold, qa);
        log(develScores.Format("devel").TrimEnd());
        log(testScores.Format("test").TrimEnd());
        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
            model.Save(Path.Combine(outputDirectory, "checkpoint"), vocab);
            var json = testAnswers.Select(q => new { id = q.Key, answers = q.Value.Select(a => new { text = a.Text, probability = a.Probability }) });
            AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, "test.predictions.json"),
                JsonSerializer.SerializeToUtf8Bytes(json, new JsonSerializerOptions { WriteIndented = true }));
            AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, "scores.txt"), Encoding.UTF8.GetBytes(develScores.Format("devel") + testScores.Format("test")));
            log($"wrote {outputDirectory}/checkpoint, test.predictions.json and scores.txt");
        }
        return new QaRunResult(epochs, develScores, testScores);
    }

    /// <summary>Each question's ranked answers (question id → up to <see cref="QaOptions.Answers"/>), in the order the questions first appear.</summary>
    public static Dictionary<string, List<RankedAnswer>> Answer(BertForQuestionAnswering model, IReadOnlyList<QaPair> pairs, List<QaFeature> features,
        QaOptions qa, int batchSize = 64)
    {
        var startLogits = new float[features.Count][];
        var endLogits = new float[features.Count][];
        using (GradMode.NoGrad())
        {
            for (int first = 0; first < features.Count; first += batchSize)
            {
                var chunk = features.GetRange(first, Math.Min(batchSize, features.Count - first));
                var (batch, answerPositions) = Pack(chunk, model.Encoder.Config.PadTokenId);
                using var scope = new TensorScope();
                // [2, B, T], a host copy (downloaded from a GPU)
                float[] logits = model.SpanLogits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, answerPositions, batch.BatchSize,
                    batch.SequenceLength, ForwardContext.Evaluation).ToArray();
                int rows = batch.BatchSize, length = batch.SequenceLength;
                for (int b = 0; b < rows; b++)
                {
                    int tokens = chunk[b].InputIds.Length;
                    startLogits[first + b] = logits.AsSpan(b * length, tokens).ToArray();
                    endLogits[first + b] = logits.AsSpan((rows + b) * length, tokens).ToArray();
                }
            }
        }
        var byPair = Enumerable.Range(0, features.Count).ToLookup(f => features[f].Pair);
        var pairAnswers = pairs.Select((pair, p) =>
        {
            int[] windows = [.. byPair[p]];
            return SpanDecoder.PairAnswers(pair, [.. windows.Select(f => features[f])], [.. windows.Select(f => startLogits[f])],
                [.. windows.Select(f => endLogits[f])], qa);
        }).ToList();
        return pairs.Select((pair, p) => (pair.QuestionId, Answers: pairAnswers[p]))
            .GroupBy(x => x.QuestionId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => SpanDecoder.QuestionAnswers(g.SelectMany(x => x.Answers), qa.Answers), StringComparer.Ordinal);
    }

    /// <summary>Pads a batch of windows; token types and answer positions are padded like the ids (0, false).</summary>
    private static (PaddedBatch Batch, bool[] AnswerPositions) Pack(IReadOnlyList<QaFeature> features, int padId)
    {
        var batch = PaddedBatch.Create([.. features.Select(f => f.InputIds)], padId);
        batch = batch with { TokenTypeIds = batch.PadTokenValues([.. features.Select(f => f.TokenTypeIds)], 0) };
        int[] positions = batch.PadTokenValues([.. features.Select(f => f.AnswerPositions.Select(a => a ? 1 : 0).ToArray())], 0);
        return (batch, [.. positions.Select(p => p == 1)]);
    }

    private static (BioAsqScores Scores, Dictionary<string, List<RankedAnswer>> Answers) Score(BertForQuestionAnswering model, List<QaPair> pairs,
        List<QaFeature> features, Dictionary<string, string[]> gold, QaOptions qa)
    {
        var answers = Answer(model, pairs, features, qa);
        return (BioAsqScores.Evaluate(answers, gold), answers);
    }
}

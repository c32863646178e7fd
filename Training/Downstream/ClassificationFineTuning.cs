using MiniBioBert.Engine.IO;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Layers;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Fine-tunes a sentence classifier on the pooled [CLS] vector: softmax cross-entropy for single-label tasks, sigmoid
/// + binary cross-entropy per label for multi-label ones (a label is predicted when its logit is above 0, i.e.
/// σ &gt; 0.5). Each sentence is encoded as [CLS] sentence [SEP], cut to max-seq. The best epoch is chosen on devel
/// macro F1. A sentence pair (<see cref="LabeledSentence.Pair"/>, e.g. PubMedQA's question and abstract) is
/// [CLS] text [SEP] pair [SEP] with token types 0 then 1, cut longest-first. With an output folder it writes the best checkpoint (<c>checkpoint/</c>) and <c>scores.txt</c>. The model
/// runs on <see cref="FineTuningOptions.Device"/>.
/// </summary>
internal static class ClassificationFineTuning
{
    public static (List<EpochRecord> Epochs, ClassificationScores Devel, ClassificationScores Test) Run(ClassificationDataSet data, string init,
        string? vocabPath, FineTuningOptions options, string? outputDirectory, Action<string> log)
    {
        options.Validate();
        data.Validate();
        var (encoder, vocab) = EncoderInitialization.Create(init, vocabPath, options.Seed + options.EncoderSeedOffset);
        var model = new BertForFineTuning(encoder, data.Task, data.Labels, options.Seed);
        model.MoveTo(options.Device);
        var tokenizer = new WordPieceTokenizer(Vocabulary.Load(vocab));
        EncodedInput[] Encode(List<LabeledSentence> sentences) =>
            [.. sentences.Select(s => tokenizer.Encode(s.Text, s.Pair, options.MaxSequenceLength))];
        var train = Encode(data.Train);
        var trainTargets = LabelSets(data.Labels, data.Train);
        var devel = Encode(data.Devel);
        var test = Encode(data.Test);
        log($"{data.Name}: {data.Train.Count} train, {data.Devel.Count} devel, {data.Test.Count} test sentences; " +
            $"{data.Labels.Length} labels ({data.Task}); init {init}");

        int labelCount = data.Labels.Length;
        var epochs = FineTuningLoop.Run(model.ParameterBuffers, train.Length, (indices, context) =>
        {
            var batch = Pad([.. indices.Select(i => train[i])], encoder.Config.PadTokenId);
            var logits = model.Logits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batch.BatchSize, batch.SequenceLength, context);
            if (data.Task == FineTuningTask.MultiLabelClassification)
            {
                float[] targets = [.. indices.SelectMany(i => trainTargets[i].Select(t => t ? 1f : 0f))];
                return model.Loss(logits, null, targets);
            }
            return model.Loss(logits, [.. indices.Select(i => Array.IndexOf(trainTargets[i], true))], null);
        }, () => Score(model, devel, data.Devel).MacroF1, options, log);

        var develScores = Score(model, devel, data.Devel);
        var testScores = Score(model, test, data.Test);
        log(develScores.Format("devel"));
        log(testScores.Format("test"));
        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
            model.Save(Path.Combine(outputDirectory, "checkpoint"), vocab);
            AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, "scores.txt"),
                System.Text.Encoding.UTF8.GetBytes(develScores.Format("devel") + testScores.Format("test")));
            log($"wrote {outputDirectory}/checkpoint and scores.txt");
        }
        return (epochs, develScores, testScores);

        ClassificationScores Score(BertForFineTuning m, EncodedInput[] inputs, List<LabeledSentence> sentences) =>
            ClassificationScores.Evaluate(m.Labels, LabelSets(data.Labels, sentences), Predict(m, inputs));
    }

    /// <summary>Predicted label sets (a bool per label) of encoded sentences, in batches of <paramref name="batchSize"/>.</summary>
    public static bool[][] Predict(BertForFineTuning model, EncodedInput[] inputs, int batchSize = 64)
    {
        int labels = model.Labels.Count;
        var predicted = new bool[inputs.Length][];
        using var noGrad = GradMode.NoGrad();
        for (int start = 0; start < inputs.Length; start += batchSize)
        {
            int end = Math.Min(inputs.Length, start + batchSize);
            var batch = Pad(inputs[start..end], model.Encoder.Config.PadTokenId);
            using var scope = new TensorScope();
            // [B, L], a host copy (downloaded from a GPU: B·L values)
            float[] logits = model.Logits(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, batch.BatchSize, batch.SequenceLength,
                ForwardContext.Evaluation).ToArray();
            for (int b = 0; b < batch.BatchSize; b++)
            {
                var row = logits.AsSpan(b * labels, labels);
                var set = new bool[labels];
                if (model.Task == FineTuningTask.MultiLabelClassification)
                {
                    for (int l = 0; l < labels; l++)
                    {
                        set[l] = row[l] > 0;
                    }
                }
                else
                {
                    set[Accuracy.ArgMax(row)] = true;
                }
                predicted[start + b] = set;
            }
        }
        return predicted;
    }

    /// <summary>Pads encoded sentences (or sentence pairs, whose token types are padded like the ids, with 0).</summary>
    private static PaddedBatch Pad(EncodedInput[] inputs, int padId)
    {
        var batch = PaddedBatch.Create([.. inputs.Select(input => input.InputIds)], padId);
        return batch with { TokenTypeIds = batch.PadTokenValues([.. inputs.Select(input => input.TokenTypeIds)], 0) };
    }

    private static bool[][] LabelSets(string[] labels, List<LabeledSentence> sentences) =>
        [.. sentences.Select(s => labels.Select(l => s.Labels.Contains(l)).ToArray())];
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary>
/// <c>eval --checkpoint DIR</c>: MLM accuracy, MLM perplexity and NSP accuracy on the held-out split. The split and the
/// evaluation masks depend on the corpus, the vocabulary, the sequence length and the seed; when the checkpoint has a
/// <c>trainer_state.json</c> its settings are the defaults, so the held-out documents are those of training.
/// </summary>
internal static class EvalCommand
{
    /// <summary>The <c>eval</c> command.</summary>
    public static Command Create()
    {
        var data = new CorpusArguments();
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint directory (Hugging Face layout).", Required = true };
        var batch = new Option<int?>("--batch") { Description = "Sequences per batch (default: the run's, else 32)." };
        var maxSeq = new Option<int?>("--max-seq") { Description = "Sequence length (default: the run's, else 128)." };
        var seed = new Option<int?>("--seed") { Description = "Data seed, which decides the held-out split (default: the run's, else 42)." };
        var evalBatches = new Option<int>("--eval-batches") { Description = "Held-out batches to evaluate (0: all).", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)." };
        var masking = new Option<string>("--masking")
        {
            Description = "What the held-out batches mask together: piece (the figures of every training log) or whole-word.",
            DefaultValueFactory = _ => "piece",
        };
        var device = DeviceOption.Create();
        var command = new Command("eval", "Evaluate a checkpoint on the held-out split: MLM accuracy, MLM perplexity, NSP accuracy.")
        {
            checkpoint, batch, maxSeq, seed, evalBatches, threads, masking, device,
        };
        data.AddTo(command, includeVocab: false);
        CommandRunner.SetAction(command, (p, output) =>
        {
            var evaluationMasking = EnumChoice.Parse<MaskingUnit>("--masking", p.GetValue(masking)!, TrainCommand.MaskingNames);
            if (p.GetValue(threads) is { } count)
            {
                CpuThreads.Set(count);
            }
            using var computeDevice = DeviceOption.Open(p.GetValue(device)!);
            string directory = p.GetValue(checkpoint)!;
            var model = BertForPreTraining.Load(directory);
            string vocab = CheckpointDirectory.VocabPath(directory);
            CheckpointDirectory.CheckVocabularyFits(vocab, directory, model.Config.VocabSize);
            model.MoveTo(computeDevice);
            string statePath = Path.Combine(directory, TrainerState.FileName);
            var run = File.Exists(statePath) ? TrainerState.Load(statePath).Options : new PretrainingOptions { TimeBudget = TimeSpan.MaxValue };
            var options = run with
            {
                Model = model.Config,
                Corpus = p.GetValue(data.Corpus) is { Length: > 0 } || run.Corpus.Count == 0 ? data.CorpusFiles(p) : run.Corpus,
                BatchSize = p.GetValue(batch) ?? run.BatchSize,
                MaxSequenceLength = p.GetValue(maxSeq) ?? run.MaxSequenceLength,
                Seed = p.GetValue(seed) ?? run.Seed,
            };
            int maxBatches = p.GetValue(evalBatches);
            if (maxBatches < 0)
            {
                throw new ArgumentException($"--eval-batches must be 0 (all) or positive, not {maxBatches}.");
            }
            var dataset = PretrainingData.Open(options, vocab, DataPaths.CacheDirectory, output.WriteLine, evaluationMasking);
            var metrics = Evaluator.Evaluate(model, Evaluator.Batches(dataset.Evaluation, maxBatches), dataset.Specials);
            var baseline = dataset.Baseline;
            // Per word only when whole words were masked: a word's loss is then the sum of its pieces' losses.
            double? perplexityPerWord = evaluationMasking == MaskingUnit.WholeWord ? metrics.MlmPerplexityPerWord : null;
            Write(output, directory, metrics, baseline.Accuracy, perplexityPerWord);
            return CommandRunner.Success;
        });
        return command;
    }

    private static void Write(TextWriter output, string checkpoint, PretrainingMetrics metrics, double baseline, double? perplexityPerWord)
    {
        (string Name, string Value)[] rows =
        [
            ("MLM accuracy", metrics.MlmAccuracy.ToString("P2", CultureInfo.InvariantCulture)),
            ("  where the input was [MASK]", Percent(metrics.MlmAccuracyWhere(MaskedInput.MaskToken))),
            ("  where it was a random token", Percent(metrics.MlmAccuracyWhere(MaskedInput.Random))),
            ("  where it was the original", Percent(metrics.MlmAccuracyWhere(MaskedInput.Kept))),
            ("MLM perplexity", metrics.MlmPerplexity.ToString("F2", CultureInfo.InvariantCulture)),
            ("MLM perplexity per word", perplexityPerWord is { } perWord ? perWord.ToString("F2", CultureInfo.InvariantCulture) : "n/a (piece masking)"),
            ("MLM loss", metrics.MlmLoss.ToString("F4", CultureInfo.InvariantCulture)),
            ("NSP accuracy", metrics.NspAccuracy.ToString("P2", CultureInfo.InvariantCulture)),
            ("NSP majority baseline", metrics.NspMajorityBaseline.ToString("P2", CultureInfo.InvariantCulture)),
            ("NSP loss", metrics.NspLoss.ToString("F4", CultureInfo.InvariantCulture)),
            ("Masked positions", metrics.MlmPredictions.ToString("N0", CultureInfo.InvariantCulture)),
            ("Sentence pairs", metrics.NspPredictions.ToString("N0", CultureInfo.InvariantCulture)),
            ("Most-frequent-token baseline", baseline.ToString("P2", CultureInfo.InvariantCulture)),
        ];
        output.WriteLine($"Held-out evaluation of {checkpoint}");
        foreach (var (name, value) in rows)
        {
            output.WriteLine($"  {name,-30}{value,12}");
        }
        output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["mlm_accuracy"] = metrics.MlmAccuracy,
            ["mlm_accuracy_at_mask"] = metrics.MlmAccuracyWhere(MaskedInput.MaskToken),
            ["mlm_accuracy_at_random"] = metrics.MlmAccuracyWhere(MaskedInput.Random),
            ["mlm_accuracy_at_kept"] = metrics.MlmAccuracyWhere(MaskedInput.Kept),
            ["mlm_perplexity"] = metrics.MlmPerplexity,
            ["mlm_perplexity_per_word"] = perplexityPerWord,
            ["mlm_words"] = metrics.MlmWords,
            ["mlm_loss"] = metrics.MlmLoss,
            ["nsp_accuracy"] = metrics.NspAccuracy,
            ["nsp_loss"] = metrics.NspLoss,
            ["mlm_predictions"] = metrics.MlmPredictions,
            ["nsp_predictions"] = metrics.NspPredictions,
            ["baseline_mlm_accuracy"] = baseline,
            ["baseline_nsp_accuracy"] = metrics.NspMajorityBaseline,
        }));
    }

    private static string Percent(double? value) => value is { } v ? v.ToString("P2", CultureInfo.InvariantCulture) : "n/a";
}

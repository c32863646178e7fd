using MiniBioBert.Engine.Gpu;
using System.CommandLine;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Training.Downstream;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary>The options that <c>finetune</c> and <c>compare</c> share, and their error handling.</summary>
internal sealed class FinetuneCommandOptions
{
    private static readonly FineTuningOptions Defaults = new();
    private readonly Func<ParseResult, double> _defaultLearningRate;

    /// <param name="defaultLearningRate">The command's <c>--lr</c> when none is given (it may depend on <c>--task</c>): see <see cref="FineTuningLearningRates"/>.</param>
    public FinetuneCommandOptions(Func<ParseResult, double> defaultLearningRate) => _defaultLearningRate = defaultLearningRate;

    public Option<int> Epochs { get; } = new("--epochs") { Description = "Maximum passes over the training set.", DefaultValueFactory = _ => Defaults.Epochs };
    public Option<int> Batch { get; } = new("--batch") { Description = "Sequences per optimizer step.", DefaultValueFactory = _ => Defaults.BatchSize };
    public Option<double?> LearningRate { get; } = new("--lr")
    {
        Description = $"Peak learning rate (warmup 10%, then linear decay). Default: the best measured for the task (ner {FineTuningLearningRates.Ner}, " +
            $"nicta-piboso {FineTuningLearningRates.Piboso}, hoc {FineTuningLearningRates.Hoc}, qa {FineTuningLearningRates.Qa}, pubmedqa {FineTuningLearningRates.PubMedQa}; docs/downstream.md).",
    };
    public Option<int> MaxSeq { get; } = new("--max-seq") { Description = "Tokens per sequence, [CLS] and [SEP] included.", DefaultValueFactory = _ => Defaults.MaxSequenceLength };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of initialisation, shuffling and dropout.", DefaultValueFactory = _ => Defaults.Seed };
    public Option<int> Patience { get; } = new("--patience") { Description = "Stop after this many epochs without a better devel score.", DefaultValueFactory = _ => Defaults.Patience };
    public Option<int?> TrainLimit { get; } = new("--train-limit") { Description = "Use only the first N training sentences (quick runs)." };
    public Option<int?> EvalLimit { get; } = new("--eval-limit") { Description = "Use only the first N devel and test sentences (quick runs)." };
    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads for the kernels (default: all cores)." };
    public Option<string?> Vocab { get; } = new("--vocab")
    {
        Description = "Vocabulary (default: the checkpoint's vocab.txt; for --init random bert-base-uncased from the shared data). It must not be larger than the model's vocab_size.",
    };
    public Option<string> Device { get; } = DeviceOption.Create();

    /// <summary>Adds every shared option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Epochs, Batch, LearningRate, MaxSeq, Seed, Patience, TrainLimit, EvalLimit, Threads, Vocab, Device })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Makes <paramref name="run"/> the command's action: it receives the parsed command line and the fine-tuning
    /// options, on the <c>--device</c> device (opened before, disposed after); known failures are one <c>error:</c> line.
    /// </summary>
    public void SetAction(Command command, Func<ParseResult, FineTuningOptions, int> run) =>
        command.SetAction(result => Guard(() =>
        {
            using var device = DeviceOption.Open(result.GetValue(Device)!);
            return run(result, Read(result, device));
        }));

    /// <summary>The fine-tuning options given on the command line, on <paramref name="device"/>; applies --threads as a side effect.</summary>
    private FineTuningOptions Read(ParseResult result, Engine.Device device)
    {
        if (result.GetValue(Threads) is int threads)
        {
            CpuThreads.Set(threads);
        }
        var options = new FineTuningOptions
        {
            Epochs = result.GetValue(Epochs),
            BatchSize = result.GetValue(Batch),
            LearningRate = result.GetValue(LearningRate) ?? _defaultLearningRate(result),
            MaxSequenceLength = result.GetValue(MaxSeq),
            Seed = result.GetValue(Seed),
            Patience = result.GetValue(Patience),
            TrainLimit = result.GetValue(TrainLimit),
            EvalLimit = result.GetValue(EvalLimit),
            Device = device,
        };
        options.Validate();
        return options;
    }

    /// <summary>
    /// Checks, before any work, that the output folder <paramref name="directory"/> (of <paramref name="option"/>) can
    /// be written, and removes what a killed save left there (temporary files and folders; never a complete checkpoint).
    /// </summary>
    public static void PrepareOutputFolder(string option, string directory)
    {
        OutputDirectoryCheck.EnsureFolderCanBeWritten(option, directory);
        var leftovers = Model.Checkpoints.CheckpointDirectory.CleanLeftovers(directory);
        if (leftovers.Count > 0)
        {
            Console.WriteLine($"Removed what an interrupted save left in {directory}: {string.Join(", ", leftovers)}");
        }
    }

    /// <summary>Checks, before any data is read, that the vocabulary fits the <c>--init</c> checkpoint (nothing to check for <c>random</c>).</summary>
    public static void CheckInit(string init, string? vocab)
    {
        if (init != EncoderInitialization.Random && Directory.Exists(init))
        {
            EncoderInitialization.CheckVocabulary(init, vocab);
        }
    }

    /// <summary>Runs <paramref name="action"/>; known failures print <c>error: message</c> on stderr and give exit code 1.</summary>
    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (GpuFailure.Describe(e) is { } deviceFailure)
        {
            Console.Error.WriteLine($"error: {deviceFailure}");
            return 1;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or UnauthorizedAccessException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Model.Initialization;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Distributed;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Pretraining;
using MiniBioBert.Training.Reporting;
using Spectre.Console;

namespace MiniBioBert.Training.Commands;

/// <summary>
/// <c>train</c>: pretrains a model (MLM + NSP) and is also what runs when no command is given. Without
/// <c>--steps</c>, <c>--epochs</c> or <c>--time-budget</c> it trains for <see cref="DefaultTimeBudget"/>.
/// Started by <c>mpirun -np N</c>, the N processes train one model data-parallel (<see cref="ProcessGroup"/>,
/// <c>docs/distributed.md</c>): <c>--batch</c> rows each, rank r on GPU (local rank mod GPU count) with a GPU device.
/// </summary>
internal sealed class TrainCommand
{
    /// <summary>The budget of a plain <c>train</c>: with corpus loading and the final evaluation the command ends within 20 minutes on 2 cores.</summary>
    public const string DefaultTimeBudget = "16m";

    private readonly CorpusArguments _data = new();
    private readonly Option<int> _layers = Int("--layers", "Encoder layers.", 4);
    private readonly Option<int> _hidden = Int("--hidden", "Hidden size.", 256);
    private readonly Option<int> _heads = Int("--heads", "Attention heads.", 4);
    private readonly Option<int> _intermediate = Int("--intermediate", "Feed-forward size.", 1024);
    private readonly Option<int> _maxSeq = Int("--max-seq", "Sequence length.", 128);
    private readonly Option<int> _batch = Int("--batch", "Sequences per micro-batch.", 32);
    private readonly Option<int> _gradAccum = Int("--grad-accum", "Micro-batches per optimizer step.", 1);
    private readonly Option<double> _lr = new("--lr") { Description = "Peak learning rate (linear warmup, then a decay to 0: --lr-decay).", DefaultValueFactory = _ => 1e-3 };
    private readonly Option<string> _lrDecay = new("--lr-decay")
    {
        Description = "How the learning rate falls from its peak to 0 after warmup: linear (BERT's, Hugging Face's default) or cosine (half a cosine; measured against linear in docs/pretraining.md).",
        DefaultValueFactory = _ => "linear",
    };
    private readonly Option<double> _warmup = new("--warmup") { Description = "Warmup: a fraction of the steps (< 1) or a number of steps.", DefaultValueFactory = _ => 0.06 };
    private readonly Option<double> _dropout = new("--dropout") { Description = "Dropout probability of hidden states and attention probabilities.", DefaultValueFactory = _ => 0.1 };
    private readonly Option<double> _adamBeta2 = new("--adam-beta2") { Description = "AdamW's second-moment decay rate.", DefaultValueFactory = _ => 0.999 };
    private readonly Option<long?> _steps = new("--steps") { Description = "Optimizer steps (fixes the schedule length)." };
    private readonly Option<string> _positionInit = new("--position-init")
    {
        Description = "How new position embeddings start: sinusoidal (scaled sinusoids, learn faster: see docs/pretraining.md) or normal (Hugging Face's N(0, 0.02²)).",
        DefaultValueFactory = _ => "sinusoidal",
    };
    private readonly Option<string> _attentionInit = new("--attention-init")
    {
        Description = "How new query and key weights start: local (half of every layer's heads start looking one position left or right; learns much faster: see docs/pretraining.md) or normal (Hugging Face's N(0, 0.02²)).",
        DefaultValueFactory = _ => "local",
    };
    private readonly Option<string> _masking = new("--masking")
    {
        Description = "What the training batches mask together: piece (each word piece on its own, BERT's first release) or whole-word (every piece of a chosen word). Held-out evaluations mask pieces either way.",
        DefaultValueFactory = _ => "piece",
    };
    private readonly Option<double> _maskRate = new("--mask-rate")
    {
        Description = "Share of each training sequence's tokens chosen for masked-LM prediction (BERT: 0.15). Held-out evaluations choose 0.15 either way.",
        DefaultValueFactory = _ => PretrainingDataOptions.BertMaskedLmProbability,
    };
    private readonly Option<int?> _shortSeqLength = new("--short-seq-length")
    {
        Description = "Sequence-length schedule (BERT's): train the first --short-seq-fraction of the steps on sequences of this many tokens, in batches as many times larger (the same tokens per step); must divide --max-seq. Default: every step at --max-seq.",
    };
    private readonly Option<double> _shortSeqFraction = new("--short-seq-fraction")
    {
        Description = "The share of the steps on short sequences when --short-seq-length is given (BERT: 0.9).",
        DefaultValueFactory = _ => 0.9,
    };
    private readonly Option<int?> _rampBatch = new("--ramp-batch")
    {
        Description = "Batch ramp: train the first --ramp-fraction of the steps in micro-batches of this many sequences (fewer than --batch, and like it per process: more updates per token early), then in --batch. Needs --steps. Default: every step in --batch.",
    };
    private readonly Option<double> _rampFraction = new("--ramp-fraction")
    {
        Description = "The share of the steps in --ramp-batch batches when --ramp-batch is given.",
        DefaultValueFactory = _ => 0.5,
    };
    private readonly Option<double?> _epochs = new("--epochs") { Description = "Passes over the training split." };
    private readonly Option<string?> _timeBudget = new("--time-budget") { Description = $"Stop and save when this much time is spent (90s, 20m, 1h). Default {DefaultTimeBudget} when neither --steps nor --epochs is given." };
    private readonly Option<int> _evalEvery = Int("--eval-every", "Evaluate on the held-out split every N steps.", 200);
    private readonly Option<int> _evalBatches = Int("--eval-batches", "Held-out batches per evaluation (0: all).", 20);
    private readonly Option<int> _checkpointEvery = Int("--checkpoint-every", "Save a checkpoint every N steps.", 500);
    private readonly Option<int> _keep = Int("--keep", "Checkpoints to keep.", 2);
    private readonly Option<int> _seed = Int("--seed", "Seed of weights, data and dropout.", 42);
    private readonly Option<int?> _threads = new("--threads") { Description = "CPU threads (default: all cores)." };
    private readonly Option<string?> _output = new("--output") { Description = "Run directory (default runs/<name>)." };
    private readonly Option<string?> _name = new("--name") { Description = "Run name (default: pretrain-<date>-<time>)." };
    private readonly Option<string> _device = DeviceOption.Create();
    private readonly Option<string?> _init = new("--init") { Description = "Start from this Hugging Face BERT checkpoint (its config, weights and vocab.txt)." };
    private readonly Option<string> _onNonFinite = new("--on-non-finite")
    {
        Description = "When a loss or gradient is NaN or infinite: skip the update, or rollback to the newest checkpoint and go on after the bad batch.",
        DefaultValueFactory = _ => "skip",
    };
    /// <summary>SIGUSR1 on Linux, which .NET has no name for (a raw number is allowed).</summary>
    private const PosixSignal UserSignal1 = (PosixSignal)10;

    /// <summary>Every option of the command, which the ranks of a data-parallel run must all be given alike.</summary>
    private Option[] _everyOption = [];
    private readonly Option<bool> _resume = new("--resume")
    {
        Description = "Continue the run in --output from its latest checkpoint, with the settings saved there (only --device and --threads may be given besides).",
    };

    /// <summary>The <c>train</c> command.</summary>
    public static Command Create()
    {
        var command = new Command("train", "Pretrain Mini-BioBERT (masked LM + next sentence) on the biomedical corpus.");
        new TrainCommand().AddTo(command);
        return command;
    }

    /// <summary>Makes training the action of <paramref name="root"/> too, with its own copy of the options.</summary>
    public static void SetAsDefault(RootCommand root) => new TrainCommand().AddTo(root);

    /// <summary>
    /// The options that say what the run is; <c>--resume</c> takes all of them from the checkpoint's
    /// <see cref="TrainerState"/>, so it refuses them on the command line. The others (<c>--output</c>,
    /// <c>--resume</c>, <c>--device</c>, <c>--threads</c>) say where and how it runs, and a resumed run uses them.
    /// </summary>
    private Option[] RunSettings => [_data.Corpus, _data.Vocab, _data.VocabSize, _layers, _hidden, _heads, _intermediate, _maxSeq, _batch, _gradAccum, _lr,
        _lrDecay, _warmup, _dropout, _adamBeta2, _positionInit, _attentionInit, _masking, _maskRate, _shortSeqLength, _shortSeqFraction, _rampBatch, _rampFraction, _steps, _epochs, _timeBudget, _evalEvery, _evalBatches, _checkpointEvery, _keep,
        _seed, _onNonFinite, _name, _init];

    private void AddTo(Command command)
    {
        _data.AddTo(command);
        Option[] options = [_layers, _hidden, _heads, _intermediate, _maxSeq, _batch, _gradAccum, _lr, _lrDecay, _warmup, _dropout, _adamBeta2, _positionInit, _attentionInit, _masking, _maskRate, _shortSeqLength,
            _shortSeqFraction, _rampBatch, _rampFraction, _steps, _epochs, _timeBudget, _evalEvery, _evalBatches, _checkpointEvery, _keep, _seed, _onNonFinite, _threads, _output, _name, _device, _init, _resume];
        foreach (var option in options)
        {
            command.Add(option);
        }
        _everyOption = [_data.Corpus, _data.Vocab, _data.VocabSize, .. options];
        CommandRunner.SetAction(command, Run);
    }

    private int Run(ParseResult parseResult, TextWriter output)
    {
        // Under mpirun: join the other ranks and refuse options that differ from rank 0's, before anything else.
        var group = ProcessGroup.Join();
        SameOptions.Check(group, [.. _everyOption.Select(option => (option.Name, GivenValue(parseResult, option)))]);
        if (!group.IsWriter)
        {
            output = TextWriter.Null; // rank 0 alone prints
        }

        // Every check before any work: the device, the options, where the run goes; then the leftovers of a killed save there.
        using var device = DeviceOption.Open(parseResult.GetValue(_device)!, group.LocalRank);
        bool resume = parseResult.GetValue(_resume);
        PretrainingOptions? newRun = null;
        string runDirectory;
        if (resume)
        {
            RefuseSettingsOfTheResumedRun(parseResult);
            runDirectory = parseResult.GetValue(_output) ?? throw new ArgumentException("--resume needs --output <run directory>.");
        }
        else
        {
            newRun = ReadOptions(parseResult);
            // --batch and --ramp-batch count one process's sequences; the options hold the ramp's over all ranks.
            newRun = newRun with { OnNonFinite = NonFiniteActionText.Parse(parseResult.GetValue(_onNonFinite)!), Ranks = group.Size, RampBatchSize = newRun.RampBatchSize * group.Size };
            newRun.Validate();
            // The default run directory is named by the clock: rank 0's, so that every rank means the same one.
            newRun = newRun with { OutputDirectory = group.BroadcastFromRankZero(newRun.OutputDirectory) };
            runDirectory = newRun.OutputDirectory;
        }
        if (group.IsWriter)
        {
            OutputDirectoryCheck.EnsureFolderCanBeWritten("--output", runDirectory); // rank 0 alone: the probe creates and removes folders
        }
        if (parseResult.GetValue(_threads) is { } threads)
        {
            CpuThreads.Set(threads);
        }
        var dashboard = group.IsWriter ? new TrainingDashboard() : new TrainingDashboard(SilentConsole());
        output.WriteLine($"Device: {device.Gpu?.ToString() ?? device.Name}" + (group.Size > 1 ? $" on each of {group.Size} ranks (MPI)" : ""));
        var leftovers = group.IsWriter ? RunCheckpoints.CleanLeftovers(runDirectory) : [];
        if (leftovers.Count > 0)
        {
            output.WriteLine($"Removed what an interrupted save left in {runDirectory}: {string.Join(", ", leftovers)}");
        }
        var (trainer, data) = newRun is null
            ? ResumedTrainer(runDirectory, device, dashboard, group)
            : NewTrainer(parseResult, newRun, device, dashboard, group);

        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true; // finish the step, save, exit 0
            trainer.RequestStop();
        }
        Console.CancelKeyPress += OnCancel;
        // Under mpirun, Ctrl+C ends the whole job; mpirun passes SIGUSR1 on to every rank instead, and rank 0's stop
        // request then stops all of them after the step, with the final evaluation and save (kill -USR1 <mpirun's pid>).
        using var stopSignal = group.Size > 1 ? PosixSignalRegistration.Create(UserSignal1, context =>
        {
            context.Cancel = true;
            trainer.RequestStop();
        }) : null;
        long sessionSteps = 0;
        trainer.StepCompleted += _ => sessionSteps++;
        try
        {
            var result = trainer.Run();
            output.WriteLine($"Stopped: {result.Reason} after {result.Steps} steps. Final held-out MLM accuracy {result.FinalEvaluation.MlmAccuracy:P2} " +
                $"(baseline {data.Baseline.Accuracy:P2}), NSP accuracy {result.FinalEvaluation.NspAccuracy:P2} " +
                $"(majority baseline {result.FinalEvaluation.NspMajorityBaseline:P2}). Checkpoint: {result.LastCheckpoint}");
            if (group.Size > 1)
            {
                output.WriteLine($"Communication (all-reduce, broadcasts, waiting for the other ranks) on rank 0: {group.CommunicationTime.TotalMilliseconds:F0} ms " +
                    $"in all, {group.CommunicationTime.TotalMilliseconds / Math.Max(1, sessionSteps):F1} ms per step.");
            }
            group.Finish();
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
        return CommandRunner.Success;
    }

    /// <summary>The trainer of the newest checkpoint in <paramref name="runDirectory"/>, with its state, optimizer and settings.</summary>
    /// <remarks>The run may have had another number of ranks: the global batch stays, split over this run's ranks (<see cref="PretrainingOptions.ForRanks"/>).</remarks>
    private static (PretrainingTrainer Trainer, PretrainingDataset Data) ResumedTrainer(string runDirectory, Device device, TrainingDashboard dashboard,
        ProcessGroup group)
    {
        string checkpoint = RunCheckpoints.Latest(runDirectory);
        dashboard.Log($"Resuming from {checkpoint}");
        var state = TrainerState.Load(Path.Combine(checkpoint, TrainerState.FileName));
        var options = state.Options.ForRanks(group.Size) with { OutputDirectory = runDirectory };
        var model = BertForPreTraining.Load(checkpoint);
        string vocab = CheckpointDirectory.VocabPath(checkpoint);
        CheckpointDirectory.CheckVocabularyFits(vocab, checkpoint, model.Config.VocabSize);
        model.MoveTo(device);
        var data = OpenData(options, vocab, dashboard, group);
        var trainer = new PretrainingTrainer(model, data, vocab, options, dashboard, state with { Options = options },
            AdamWStateFile.Load(Path.Combine(checkpoint, RunCheckpoints.OptimizerFileName)), group: group);
        return (trainer, data);
    }

    /// <summary>The trainer of a new run with <paramref name="options"/>: a new or <c>--init</c> model on <paramref name="device"/>.</summary>
    private (PretrainingTrainer Trainer, PretrainingDataset Data) NewTrainer(ParseResult parseResult, PretrainingOptions options, Device device,
        TrainingDashboard dashboard, ProcessGroup group)
    {
        var (runOptions, vocab, model) = NewRun(parseResult, options, dashboard);
        model.MoveTo(device);
        var data = OpenData(runOptions, vocab, dashboard, group);
        return (new PretrainingTrainer(model, data, vocab, runOptions, dashboard, group: group), data);
    }

    /// <summary>A resumed run takes its settings from its checkpoint: one given on the command line would be ignored, so it is refused.</summary>
    private void RefuseSettingsOfTheResumedRun(ParseResult p)
    {
        string[] given = [.. RunSettings.Where(option => p.GetResult(option) is { Implicit: false }).Select(option => option.Name)];
        if (given.Length > 0)
        {
            throw new ArgumentException($"--resume continues the run with the settings saved in its checkpoint (trainer_state.json), so it would ignore " +
                $"{string.Join(", ", given)}. Leave {(given.Length == 1 ? "it" : "them")} out, or start a new run in another --output.");
        }
    }

    private (PretrainingOptions Options, string Vocab, BertForPreTraining Model) NewRun(ParseResult p, PretrainingOptions options,
        TrainingDashboard dashboard)
    {
        string vocab;
        BertForPreTraining model;
        if (options.InitCheckpoint is { } init)
        {
            vocab = CheckpointDirectory.VocabPath(init);
            model = BertForPreTraining.Load(init);
            CheckpointDirectory.CheckVocabularyFits(vocab, init, model.Config.VocabSize);
            dashboard.Log($"Continued pretraining from {init} (its vocabulary: {vocab}).");
        }
        else
        {
            vocab = _data.VocabularyFile(p, options.Corpus, new HeldOutDocuments(options.HeldOutFraction, (ulong)options.Seed), dashboard.Log);
            model = new BertForPreTraining(options.Model with { VocabSize = Vocabulary.Load(vocab).Count }, options.Seed, options.PositionInit, options.AttentionInit);
        }
        options = options with { Model = model.Config };
        options.Validate();
        return (options, vocab, model);
    }

    /// <summary>The words of <c>--position-init</c>, in the order of <see cref="PositionInit"/>.</summary>
    private static readonly IReadOnlyList<string> PositionInitNames = ["normal", "sinusoidal"];

    /// <summary>The words of <c>--attention-init</c>, in the order of <see cref="AttentionInit"/>.</summary>
    private static readonly IReadOnlyList<string> AttentionInitNames = ["normal", "local"];

    /// <summary>The words of <c>--lr-decay</c>, in the order of <see cref="LearningRateDecay"/>.</summary>
    private static readonly IReadOnlyList<string> LearningRateDecayNames = ["linear", "cosine"];

    /// <summary>The words of <c>--masking</c> (and <c>eval --masking</c>), in the order of <see cref="MaskingUnit"/>.</summary>
    public static readonly IReadOnlyList<string> MaskingNames = ["piece", "whole-word"];

    private PretrainingOptions ReadOptions(ParseResult p)
    {
        long? steps = p.GetValue(_steps);
        double? epochs = p.GetValue(_epochs);
        string? budget = p.GetValue(_timeBudget) ?? (steps is null && epochs is null ? DefaultTimeBudget : null);
        string name = p.GetValue(_name) ?? $"pretrain-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        int maxSeq = p.GetValue(_maxSeq);
        string? init = p.GetValue(_init);
        return new PretrainingOptions
        {
            Model = new BertConfig
            {
                NumHiddenLayers = p.GetValue(_layers),
                HiddenSize = p.GetValue(_hidden),
                NumAttentionHeads = p.GetValue(_heads),
                IntermediateSize = p.GetValue(_intermediate),
                MaxPositionEmbeddings = Math.Max(512, maxSeq),
                HiddenDropoutProb = (float)p.GetValue(_dropout),
                AttentionProbsDropoutProb = (float)p.GetValue(_dropout),
            },
            Corpus = _data.CorpusFiles(p),
            BatchSize = p.GetValue(_batch),
            GradientAccumulation = p.GetValue(_gradAccum),
            MaxSequenceLength = maxSeq,
            PeakLearningRate = p.GetValue(_lr),
            LearningRateDecay = EnumChoice.Parse<LearningRateDecay>("--lr-decay", p.GetValue(_lrDecay)!, LearningRateDecayNames),
            Warmup = p.GetValue(_warmup),
            AdamBeta2 = p.GetValue(_adamBeta2),
            PositionInit = EnumChoice.Parse<PositionInit>("--position-init", p.GetValue(_positionInit)!, PositionInitNames),
            AttentionInit = EnumChoice.Parse<AttentionInit>("--attention-init", p.GetValue(_attentionInit)!, AttentionInitNames),
            Masking = EnumChoice.Parse<MaskingUnit>("--masking", p.GetValue(_masking)!, MaskingNames),
            MaskRate = p.GetValue(_maskRate),
            ShortSequenceLength = p.GetValue(_shortSeqLength),
            ShortSequenceFraction = p.GetValue(_shortSeqFraction),
            RampBatchSize = p.GetValue(_rampBatch),
            RampFraction = p.GetValue(_rampFraction),
            Steps = steps,
            Epochs = epochs,
            TimeBudget = budget is null ? null : DurationText.Parse(budget),
            EvalEvery = p.GetValue(_evalEvery),
            EvalBatches = p.GetValue(_evalBatches),
            CheckpointEvery = p.GetValue(_checkpointEvery),
            Keep = p.GetValue(_keep),
            Seed = p.GetValue(_seed),
            OutputDirectory = Path.GetFullPath(p.GetValue(_output) ?? Path.Combine(DataPaths.RepositoryRoot, "runs", name)),
            InitCheckpoint = init is null ? null : Path.GetFullPath(init),
        };
    }

    /// <summary>The run's data; with several ranks, rank 0 tokenizes (or loads) first and the others then read its token cache.</summary>
    private static PretrainingDataset OpenData(PretrainingOptions options, string vocab, TrainingDashboard dashboard, ProcessGroup group)
    {
        if (!group.IsWriter)
        {
            group.Barrier();
        }
        var data = PretrainingData.Open(options, vocab, DataPaths.CacheDirectory, dashboard.Log);
        if (group.IsWriter)
        {
            group.Barrier();
        }
        var baseline = data.Baseline;
        dashboard.Log($"Baseline (always predict the most frequent token, id {baseline.TokenId}): held-out MLM accuracy {baseline.Accuracy:P2} " +
            $"over {baseline.Predictions:N0} masked positions.");
        return data;
    }

    /// <summary>What the command line gave <paramref name="option"/> (its words), or "(default)".</summary>
    private static string GivenValue(ParseResult parseResult, Option option) =>
        parseResult.GetResult(option) is { Implicit: false } given ? string.Join(' ', given.Tokens.Select(token => token.Value)) : "(default)";

    /// <summary>The console of a rank other than 0: its progress is rank 0's, printed there.</summary>
    private static IAnsiConsole SilentConsole() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });

    private static Option<int> Int(string name, string description, int defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
}

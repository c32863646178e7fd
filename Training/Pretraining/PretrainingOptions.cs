using MiniBioBert.Training.Data;
using MiniBioBert.Model.Initialization;
using MiniBioBert.Model;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// Everything that defines a pretraining run besides the data and the starting weights. Stored in every
/// checkpoint's <c>trainer_state.json</c>, so <c>--resume</c> continues with exactly these settings.
/// </summary>
internal sealed record PretrainingOptions
{
    /// <summary>The model shape (its vocabulary size is that of the vocabulary file).</summary>
    public BertConfig Model { get; init; } = new();

    /// <summary>Corpus files, full paths, in reading order.</summary>
    public IReadOnlyList<string> Corpus { get; init; } = [];

    /// <summary>Sequences per micro-batch (of each rank, in a data-parallel run).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Processes training together (data parallelism, <c>mpirun -np N</c>): each takes <see cref="BatchSize"/> rows
    /// of every global micro-batch of <see cref="GlobalBatchSize"/> rows. Saved with the run, so that a resume with
    /// another number of ranks keeps the global batch (<see cref="ForRanks"/>).
    /// </summary>
    public int Ranks { get; init; } = 1;

    /// <summary>Rows of one micro-batch over all ranks (N × b): what the data pipeline builds.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int GlobalBatchSize => BatchSize * Ranks;

    /// <summary>Micro-batches per optimizer step (effective batch = BatchSize × this).</summary>
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>Sequence length (also the data's MaxSequenceLength).</summary>
    public int MaxSequenceLength { get; init; } = 128;

    /// <summary>The peak learning rate of the linear warmup/decay schedule.</summary>
    public double PeakLearningRate { get; init; } = 1e-3;

    /// <summary>How the rate falls from the peak to 0 after warmup. Runs saved before the option existed read as linear.</summary>
    public LearningRateDecay LearningRateDecay { get; init; } = LearningRateDecay.Linear;

    /// <summary>Warmup: a fraction of the total steps when below 1, else a number of steps.</summary>
    public double Warmup { get; init; } = 0.06;

    /// <summary>Optimizer steps to run; null: from <see cref="Epochs"/> or the time budget.</summary>
    public long? Steps { get; init; }

    /// <summary>Passes over the training split; null: from <see cref="Steps"/> or the time budget.</summary>
    public double? Epochs { get; init; }

    /// <summary>Wall-clock budget of the training loop (whole run, across resumes); null: none.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Fraction of the documents held out for evaluation (chosen by <see cref="Seed"/>).</summary>
    public double HeldOutFraction { get; init; } = 0.02;

    /// <summary>Evaluate on the held-out split every this many steps (and at the end).</summary>
    public int EvalEvery { get; init; } = 200;

    /// <summary>Held-out batches per evaluation (0: all of them).</summary>
    public int EvalBatches { get; init; } = 20;

    /// <summary>Save a checkpoint every this many steps (and at the end).</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Checkpoints kept in the run directory (the oldest are deleted).</summary>
    public int Keep { get; init; } = 2;

    /// <summary>Seed of the initial weights, the data (split, instances, masks) and the dropout masks.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Global gradient-norm clipping threshold.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>AdamW's second-moment decay rate β2 (0.999 as in BERT; RoBERTa's 0.98 tolerates higher learning rates).</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>AdamW decoupled weight decay of weight matrices and embeddings.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>What a non-finite loss or gradient does: skip the update, or roll back to the newest checkpoint.</summary>
    public NonFiniteAction OnNonFinite { get; init; } = NonFiniteAction.Skip;

    /// <summary>The run directory (metrics, plots, checkpoints).</summary>
    public string OutputDirectory { get; init; } = "runs/default";

    /// <summary>The checkpoint the run started from (continued pretraining), or null for random weights.</summary>
    public string? InitCheckpoint { get; init; }

    /// <summary>How the position embeddings of random weights start (see docs/pretraining.md for the measured effect).</summary>
    public PositionInit PositionInit { get; init; } = PositionInit.Sinusoidal;

    /// <summary>How the query and key weights of random weights start (see docs/pretraining.md, "Local heads").</summary>
    public AttentionInit AttentionInit { get; init; } = AttentionInit.Local;

    /// <summary>What the training batches mask together: word pieces or whole words (held-out evaluations mask pieces, so figures compare).</summary>
    public MaskingUnit Masking { get; init; } = MaskingUnit.Piece;

    /// <summary>
    /// The share of a training sequence's tokens chosen for masked-LM prediction (BERT's 0.15; held-out evaluations
    /// always choose 0.15, so figures compare). Runs saved before the option existed read as 0.15.
    /// </summary>
    public double MaskRate { get; init; } = PretrainingDataOptions.BertMaskedLmProbability;

    /// <summary>
    /// BERT's sequence-length schedule: the first <see cref="ShortSequenceFraction"/> of the steps train on sequences of
    /// this many tokens, in batches as many times larger as the sequences are shorter (the same tokens per step), and
    /// the rest on <see cref="MaxSequenceLength"/>. Null (the default): every step at the full length. Held-out
    /// evaluations use the full length either way.
    /// </summary>
    public int? ShortSequenceLength { get; init; }

    /// <summary>The share of the schedule's steps at <see cref="ShortSequenceLength"/> (BERT: 0.9).</summary>
    public double ShortSequenceFraction { get; init; } = 0.9;

    /// <summary>
    /// A batch ramp: the first <see cref="RampFraction"/> of the steps train in micro-batches of this many sequences over
    /// all ranks (fewer than <see cref="GlobalBatchSize"/>: fewer tokens per step, more updates per token), the rest in
    /// <see cref="GlobalBatchSize"/>. Null (the default): every step in full batches. Planned by <see cref="Steps"/> only.
    /// </summary>
    public int? RampBatchSize { get; init; }

    /// <summary>The share of the schedule's steps in batches of <see cref="RampBatchSize"/>.</summary>
    public double RampFraction { get; init; } = 0.5;

    /// <summary>
    /// The first phase of a two-phase schedule: BERT's short sequences (<see cref="ShortSequenceLength"/>) or a batch
    /// ramp (<see cref="RampBatchSize"/>); null when every step is like the last.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public EarlyPhase? FirstPhase =>
        ShortSequenceLength is { } length ? new(length, GlobalBatchSize * (MaxSequenceLength / length), ShortSequenceFraction)
        : RampBatchSize is { } batch ? new(MaxSequenceLength, batch, RampFraction)
        : null;

    /// <summary>The steps of a schedule of <paramref name="totalSteps"/> in the first phase (0 without one).</summary>
    public long FirstPhaseSteps(long totalSteps) =>
        FirstPhase is { } phase ? (long)Math.Round(phase.Fraction * totalSteps) : 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        Model.Validate();
        Positive(BatchSize, "--batch");
        Positive(Ranks, "The number of ranks");
        Positive(GradientAccumulation, "--grad-accum");
        Positive(EvalEvery, "--eval-every");
        Positive(CheckpointEvery, "--checkpoint-every");
        Positive(Keep, "--keep");
        if (EvalBatches < 0)
        {
            throw new ArgumentException($"--eval-batches must be 0 (all) or positive, not {EvalBatches}.");
        }
        if (MaxSequenceLength < 5 || MaxSequenceLength > Model.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"--max-seq must be between 5 and the model's max_position_embeddings ({Model.MaxPositionEmbeddings}), not {MaxSequenceLength}.");
        }
        if (!(PeakLearningRate > 0) || !double.IsFinite(PeakLearningRate))
        {
            throw new ArgumentException($"--lr must be a positive number, not {PeakLearningRate}.");
        }
        if (!(Warmup >= 0) || !double.IsFinite(Warmup) || (Warmup >= 1 && Warmup != Math.Floor(Warmup)))
        {
            throw new ArgumentException($"--warmup must be a fraction in [0, 1) or a whole number of steps, not {Warmup}.");
        }
        if (!(AdamBeta2 > 0 && AdamBeta2 < 1))
        {
            throw new ArgumentException($"--adam-beta2 must be in (0, 1), not {AdamBeta2}.");
        }
        if (ShortSequenceLength is { } shortLength && (shortLength < 5 || shortLength >= MaxSequenceLength || MaxSequenceLength % shortLength != 0))
        {
            throw new ArgumentException($"--short-seq-length must be at least 5 and divide --max-seq ({MaxSequenceLength}) into 2 or more, not {shortLength}.");
        }
        if (!(ShortSequenceFraction > 0 && ShortSequenceFraction < 1))
        {
            throw new ArgumentException($"--short-seq-fraction must be in (0, 1), not {ShortSequenceFraction}.");
        }
        if (RampBatchSize is { } rampBatch && (rampBatch < Ranks || rampBatch >= GlobalBatchSize || rampBatch % Ranks != 0))
        {
            throw new ArgumentException($"--ramp-batch must be positive and smaller than --batch ({BatchSize}), not {rampBatch / (double)Ranks}.");
        }
        if (RampBatchSize is not null && (Steps is null || Epochs is not null || TimeBudget is not null))
        {
            throw new ArgumentException("--ramp-batch plans by --steps alone: a time budget or --epochs would plan the ramp's smaller steps as full ones. Give --steps.");
        }
        if (!(RampFraction > 0 && RampFraction < 1))
        {
            throw new ArgumentException($"--ramp-fraction must be in (0, 1), not {RampFraction}.");
        }
        if (ShortSequenceLength is not null && RampBatchSize is not null)
        {
            throw new ArgumentException("--short-seq-length and --ramp-batch are two first phases of a schedule; give one of them.");
        }
        if (!(MaskRate > 0 && MaskRate <= 1))
        {
            throw new ArgumentException($"--mask-rate must be in (0, 1], not {MaskRate}.");
        }
        if (!(HeldOutFraction > 0 && HeldOutFraction < 1))
        {
            throw new ArgumentException($"The held-out fraction must be in (0, 1), not {HeldOutFraction}.");
        }
        if (AttentionInit == AttentionInit.Local && InitCheckpoint is null && Model.HiddenSize / Model.NumAttentionHeads % 2 != 0)
        {
            throw new ArgumentException($"--attention-init local needs an even head size (--hidden / --heads), not {Model.HiddenSize / Model.NumAttentionHeads}; use --attention-init normal.");
        }
        if (Steps is <= 0)
        {
            throw new ArgumentException($"--steps must be positive, not {Steps}.");
        }
        if (Epochs is { } epochs && (!(epochs > 0) || !double.IsFinite(epochs)))
        {
            throw new ArgumentException($"--epochs must be a positive number, not {epochs}.");
        }
        if (TimeBudget is { } budget && budget <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--time-budget must be positive, not {budget}.");
        }
        if (Steps is null && Epochs is null && TimeBudget is null)
        {
            throw new ArgumentException("Give at least one of --steps, --epochs and --time-budget.");
        }
    }

    /// <summary>
    /// The same run on <paramref name="ranks"/> processes: the same global batch, split into equal shares. Throws
    /// <see cref="ArgumentException"/> when it does not split evenly.
    /// </summary>
    public PretrainingOptions ForRanks(int ranks)
    {
        if (GlobalBatchSize % ranks != 0)
        {
            throw new ArgumentException($"The run's global batch of {GlobalBatchSize} sequences ({BatchSize} × {Ranks} ranks) cannot be split " +
                $"evenly over {ranks} ranks; use a number of ranks that divides {GlobalBatchSize}.");
        }
        if (RampBatchSize % ranks is > 0)
        {
            throw new ArgumentException($"The run's ramp batch of {RampBatchSize} sequences cannot be split evenly over {ranks} ranks; " +
                $"use a number of ranks that divides {RampBatchSize}.");
        }
        return this with { BatchSize = GlobalBatchSize / ranks, Ranks = ranks };
    }

    /// <summary>Warmup steps for a schedule of <paramref name="totalSteps"/> (at most the total).</summary>
    public long WarmupSteps(long totalSteps) =>
        Math.Min(totalSteps, Warmup < 1 ? (long)Math.Round(Warmup * totalSteps) : (long)Warmup);

    private static void Positive(int value, string option)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{option} must be positive, not {value}.");
        }
    }
}

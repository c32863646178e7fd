using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Distributed;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The pretraining loop around <see cref="TrainingStep.Run"/>: each step's micro-batches come from the data cursor,
/// their dropout is seeded from (seed, step, micro-batch), the learning rate from the schedule. Evaluates, logs,
/// plots and checkpoints at the configured intervals and at the end. Everything that decides the numbers is a
/// function of the options and the <see cref="TrainerState"/>, so a resumed run repeats an uninterrupted one exactly.
/// <para>
/// A non-finite loss or gradient norm stops the step before the update and names the first non-finite tensor. Then,
/// by <see cref="PretrainingOptions.OnNonFinite"/>: <see cref="NonFiniteAction.Skip"/> goes on with the next batch;
/// <see cref="NonFiniteAction.Rollback"/> loads the weights, the AdamW state, the step and the schedule of the newest
/// checkpoint from disk (a rollback run saves <c>checkpoint-0</c> before its first step, so there always is one),
/// cuts metrics.jsonl back to that step, logs a <c>rollback</c> line at that step and goes on with the batch after
/// the failed step's: the data cursor is not restored, so the batches from the checkpoint to the failure are skipped
/// and the run cannot meet the same batch again. After <see cref="MaxRollbacksInARow"/> rollbacks that did not get past the failing
/// step, the next failure throws <see cref="TrainingDivergedException"/>.
/// </para>
/// <para>
/// Everything runs on the model's device (<see cref="BertForPreTraining.MoveTo"/>); <see cref="ModelOptimizer"/>
/// averages, clips and updates there too. Checkpoints are written in the same format whichever device trained.
/// </para>
/// <para>
/// Data parallel (a <see cref="ProcessGroup"/> of N ranks, <c>docs/distributed.md</c>): every rank runs this same loop
/// on the same global batches and trains on its share of their rows (<see cref="BatchShare"/>), with dropout masks of
/// its own (seeded from its rank); the gradients are summed over the ranks before clipping (<see cref="ModelOptimizer"/>),
/// the step's metrics and every evaluation too. Rank 0 decides when to stop and how long the schedule is, and alone
/// writes logs, plots and checkpoints.
/// </para>
/// </summary>
internal sealed class PretrainingTrainer
{
    /// <summary>Rollbacks allowed without completing the step that failed; one more failure stops the run.</summary>
    public const int MaxRollbacksInARow = 3;

    private readonly BertForPreTraining _model;
    private readonly PretrainingDataset _data;
    private readonly PretrainingOptions _options;
    private readonly TrainingDashboard _dashboard;
    private readonly TrainerState? _resumeState;
    private readonly string _sourceVocabPath;

    /// <summary>The run's own copy of the vocabulary, which every checkpoint copies (the source may be a checkpoint that gets deleted).</summary>
    private readonly string _vocabPath;

    /// <summary>The clock the time budget is planned and checked against (the system's, or one a test hands in).</summary>
    private readonly TimeProvider _clock;
    private readonly TimeBudgetPlanner _planner;
    private readonly ModelOptimizer _optimizer;
    private readonly DataParallel _dataParallel;
    private readonly PretrainingBatchSource? _firstPhaseBatches; // a two-phase schedule's first phase (short sequences or small batches), or null
    private volatile bool _stopRequested;

    // Where the run is: what a checkpoint's TrainerState records, and what the loop decides by.
    private long _step;
    private DataCursor _cursor;
    private long _totalSteps;
    private long _firstPhaseSteps;
    private bool _secondPhaseBegun; // a two-phase schedule's switch, made once
    private LearningRateSchedule _schedule = null!;
    private double? _bestEvalLoss;
    private long? _bestEvalStep;

    // What happened last in this session.
    private RunMetrics? _metrics; // null on ranks other than 0
    private long _sessionStart;
    private long _sessionTokens;
    private long _lastEvalStep = -1;
    private long _lastSaveStep = -1;
    private PretrainingMetrics? _lastEvaluation;
    private TimeSpan _lastEvaluationTime;
    private StepResult? _lastStep;
    private string _lastCheckpoint = "";
    private int _rollbacksInARow;
    private long _lastFailedStep;

    /// <summary>
    /// A trainer for <paramref name="model"/> (random or loaded weights) on <paramref name="data"/>; pass the state and
    /// optimizer of a checkpoint to resume, or null for both to start at step 0. With a <paramref name="group"/> of
    /// several ranks, <paramref name="options"/>' <see cref="PretrainingOptions.Ranks"/> must be its size.
    /// </summary>
    public PretrainingTrainer(BertForPreTraining model, PretrainingDataset data, string vocabPath, PretrainingOptions options,
        TrainingDashboard dashboard, TrainerState? resumeState = null, AdamW? resumeOptimizer = null, TimeProvider? clock = null,
        ProcessGroup? group = null)
    {
        options.Validate();
        if ((resumeState is null) != (resumeOptimizer is null))
        {
            throw new ArgumentException("Resuming needs both the trainer state and the optimizer state.");
        }
        _dataParallel = new DataParallel(group ?? ProcessGroup.Single);
        if (options.Ranks != _dataParallel.Group.Size)
        {
            throw new ArgumentException($"The options are for {options.Ranks} ranks, but {_dataParallel.Group.Size} processes run.");
        }
        _model = model;
        _data = data;
        _options = options;
        _dashboard = dashboard;
        _resumeState = resumeState;
        _optimizer = new ModelOptimizer([model.Parameters], [resumeOptimizer ?? new AdamW(
            WeightDecayRule.Segments(model.Parameters.Parameters.Select(p => (p.Name, p.Offset, p.Value.Size))),
            new AdamWOptions { WeightDecay = options.WeightDecay, Beta2 = options.AdamBeta2 })], _dataParallel,
            readbackCapacity: options.GradientAccumulation * (2 + ReadbacksPerMicroBatch(options)));
        _sourceVocabPath = vocabPath;
        _vocabPath = Path.Combine(options.OutputDirectory, "vocab.txt");
        _clock = clock ?? TimeProvider.System;
        _planner = new TimeBudgetPlanner(options, data, _clock, dashboard.Log);
        _firstPhaseBatches = options.FirstPhase is { } phase ? data.TrainingOfLength(phase.SequenceLength, phase.GlobalBatchSize) : null;
    }

    /// <summary>Predictions one rank reads back per micro-batch: at most B·T masked tokens and B NSP labels, in either phase.</summary>
    private static int ReadbacksPerMicroBatch(PretrainingOptions options)
    {
        int fullSteps = options.BatchSize * (options.MaxSequenceLength + 1);
        return options.FirstPhase is { } phase ? Math.Max(fullSteps, phase.GlobalBatchSize / options.Ranks * (phase.SequenceLength + 1)) : fullSteps;
    }

    /// <summary>Where the batches of the current step come from: a two-phase schedule's first phase, then the run's own batches.</summary>
    private PretrainingBatchSource TrainingBatches => _firstPhaseBatches is null || _secondPhaseBegun ? _data.Training : _firstPhaseBatches;

    /// <summary>
    /// Whether a two-phase schedule's switch is due: at its step, round(F·T), or, with a time budget, once F of the
    /// budget's time is spent, whichever is first (a plan that overshoots the budget would otherwise leave no step of
    /// the second phase). Decided on rank 0 and agreed with the stop (<see cref="AgreedReasonToStop"/>).
    /// </summary>
    private bool SecondPhaseDue() =>
        _options.FirstPhase is { } phase && !_secondPhaseBegun &&
        (_step >= _firstPhaseSteps || (_options.TimeBudget is { } budget && Elapsed() >= budget * phase.Fraction));

    /// <summary>
    /// Makes the switch, never back (it is stored with the state). The cursor moves to the second phase's batch that
    /// starts where the training positions read so far in this epoch end (rounded up to a whole batch; the same batch
    /// for the sequence-length schedule, whose batches hold as many positions in both phases).
    /// </summary>
    private void BeginSecondPhase()
    {
        var phase = _options.FirstPhase!;
        _secondPhaseBegun = true;
        long positionsRead = (long)_cursor.BatchIndex * phase.GlobalBatchSize * phase.SequenceLength;
        long positionsPerBatch = (long)_options.GlobalBatchSize * _options.MaxSequenceLength;
        int batchIndex = (int)((positionsRead + positionsPerBatch - 1) / positionsPerBatch);
        _cursor = batchIndex < _data.Training.BatchesPerEpoch(_cursor.Epoch) ? _cursor with { BatchIndex = batchIndex } : new DataCursor(_cursor.Epoch + 1, 0);
    }

    /// <summary>Raised after every optimizer step (not after a step that was rolled back).</summary>
    public event Action<StepResult>? StepCompleted;

    /// <summary>Raised after a rollback has restored a checkpoint, before the next step.</summary>
    public event Action<RollbackResult>? RolledBack;

    /// <summary>The optimizer's state (a rollback replaces it with the checkpoint's); on a GPU, downloaded first.</summary>
    internal AdamW Optimizer => _optimizer.HostState();

    /// <summary>Asks the loop to stop after the current step (then it evaluates and saves as at the end).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Trains until the plan, the epochs or the time budget is done, or a stop is requested.</summary>
    public TrainingResult Run()
    {
        string runDirectory = _options.OutputDirectory;
        if (Writes)
        {
            OutputDirectoryCheck.EnsureWritable(runDirectory, RequiredFreeBytes(_model, _options.Keep));
            if (Path.GetFullPath(_sourceVocabPath) != Path.GetFullPath(_vocabPath))
            {
                File.Copy(_sourceVocabPath, _vocabPath, overwrite: true);
            }
        }
        using var metrics = _metrics = Writes ? RunMetrics.Open(runDirectory, _resumeState?.Step, warning => _dashboard.Log($"warning: {warning}")) : null;
        _dataParallel.BroadcastParameters(_model.Parameters);
        StartOrResume();
        var reason = TrainUntilStopped();

        if (reason == StopReason.Interrupted)
        {
            _dashboard.Log($"Stop requested: saving at step {_step}.");
        }
        if (_lastEvalStep != _step || _lastEvaluation is null)
        {
            Evaluate();
        }
        if (_lastSaveStep != _step)
        {
            Save();
        }
        _dashboard.Summary(Summary());
        return new TrainingResult(_step, reason, _lastEvaluation!, _lastCheckpoint, Elapsed());
    }

    /// <summary>The loop: one <see cref="TrainingStep"/> after another, until a reason to stop.</summary>
    private StopReason TrainUntilStopped()
    {
        PretrainingBatchSource? source = null;
        IEnumerator<PositionedBatch>? batches = null;
        try
        {
            while (true)
            {
                if (AgreedReasonToStop() is { } reason) // also agrees on a two-phase schedule's switch
                {
                    return reason;
                }
                if (TrainingBatches != source)
                {
                    if (source is not null)
                    {
                        // The schedule moves on to its second phase: the run's own batches, from the cursor the switch set.
                        _dashboard.Log($"After step {_step}: sequences of {TrainingBatches.Options.MaxSequenceLength} tokens from now on, {TrainingBatches.BatchSize} to a batch.");
                    }
                    batches?.Dispose();
                    source = TrainingBatches;
                    batches = source.Read(_cursor).GetEnumerator();
                }
                TrainOneStep(batches!);
            }
        }
        finally
        {
            batches?.Dispose();
        }
    }

    /// <summary>One optimizer step over the next micro-batches of <paramref name="batches"/>, then the bookkeeping.</summary>
    private void TrainOneStep(IEnumerator<PositionedBatch> batches)
    {
        double learningRate = _schedule.LearningRate(_step);
        var pending = new List<PendingScores>();
        var outcome = TrainingStep.Run(_optimizer, _options.GradientAccumulation,
            (micro, context) => NextMicroBatchLoss(batches, pending, context),
            micro => DropoutSeeds.For(_options.Seed, _step, micro * _dataParallel.Group.Size + _dataParallel.Group.Rank), learningRate, _options.MaxGradNorm);
        var stepMetrics = new PretrainingMetrics();
        foreach (var micro in pending)
        {
            stepMetrics.Add(micro.Score(_optimizer.StepResults));
        }
        stepMetrics.SumOver(_dataParallel.Group);
        if (!outcome.Updated)
        {
            string tensor = NonFiniteTensors.First([_model.Parameters]) ?? "loss";
            if (_options.OnNonFinite == NonFiniteAction.Rollback)
            {
                RollBack(_step + 1, tensor, stepMetrics.Loss, outcome.GradientNorm);
                return;
            }
            _dashboard.Log($"warning: {NonFiniteTensors.Describe(_step + 1, stepMetrics.Loss, outcome.GradientNorm, tensor)} The update is skipped.");
        }
        _step++;
        AfterStep(new StepResult(_step, stepMetrics.Loss, stepMetrics.MlmLoss, stepMetrics.NspLoss,
            stepMetrics.MlmAccuracy, stepMetrics.NspAccuracy, learningRate, outcome.GradientNorm, Skipped: !outcome.Updated));
    }

    /// <summary>
    /// Forward of this rank's share of the next micro-batch in training mode: its loss (MLM + NSP; with several ranks,
    /// its part of the global batch's loss), its losses and predictions queued into the step's results (<paramref name="pending"/>).
    /// </summary>
    private Tensor NextMicroBatchLoss(IEnumerator<PositionedBatch> batches, List<PendingScores> pending, ForwardContext context)
    {
        batches.MoveNext();
        var positioned = batches.Current;
        _cursor = positioned.Next;
        _sessionTokens += positioned.Batch.RealTokenCount; // the global batch's: the pace of the whole job
        var share = Share(positioned.Batch);
        var output = _model.Forward(share.ToInputs(), context);
        pending.Add(PendingScores.Queue(output, _optimizer.StepResults));
        return _dataParallel.Group.Size == 1 ? output.Loss : BatchShare.LossPart(output, share, positioned.Batch);
    }

    /// <summary>This rank's rows of a global batch (all of them in a run of one process).</summary>
    private PretrainingBatch Share(PretrainingBatch global) => BatchShare.Rows(global, _dataParallel.Group.Rank, _dataParallel.Group.Size);

    /// <summary>True on the process that writes the run's files (the only one, or rank 0).</summary>
    private bool Writes => _dataParallel.Group.IsWriter;

    /// <summary>After a step: re-planning, the train record and the dashboard, then evaluation and checkpoint when due.</summary>
    private void AfterStep(StepResult result)
    {
        if (!result.Skipped && _step >= _lastFailedStep)
        {
            _rollbacksInARow = 0;
        }
        if (_planner.AfterStep(_step, Elapsed()) is { } replanned)
        {
            SetSchedule(replanned);
        }
        _lastStep = result;
        double tokensPerSecond = _sessionTokens / Math.Max(SessionElapsed().TotalSeconds, 1e-9);
        _metrics?.AppendStep(result, EpochFraction(_cursor), tokensPerSecond, Elapsed());
        StepCompleted?.Invoke(result);
        _dashboard.Update(new TrainingProgress
        {
            Step = _step,
            TotalSteps = _totalSteps,
            Epoch = EpochFraction(_cursor),
            Loss = result.Loss,
            MlmAccuracy = result.MlmAccuracy,
            NspAccuracy = result.NspAccuracy,
            LearningRate = result.LearningRate,
            TokensPerSecond = tokensPerSecond,
            Elapsed = Elapsed(),
        });
        bool evaluationDue = _step % _options.EvalEvery == 0;
        if (evaluationDue)
        {
            Evaluate();
        }
        if (_step % _options.CheckpointEvery == 0)
        {
            Save();
        }
        if (evaluationDue && _planner.AfterEvaluation(_step, _totalSteps, Elapsed(), _lastEvaluationTime) is { } fromPace)
        {
            SetSchedule(fromPace);
        }
    }

    /// <summary>The state at the start: a new run (planned, and with <c>checkpoint-0</c> when rollbacks may need one) or a resumed one.</summary>
    private void StartOrResume()
    {
        _step = _resumeState?.Step ?? 0;
        _cursor = _resumeState?.Cursor ?? DataCursor.Start;
        _secondPhaseBegun = _resumeState?.SecondPhaseBegun ?? false;
        (_bestEvalLoss, _bestEvalStep) = (_resumeState?.BestEvalLoss, _resumeState?.BestEvalStep);
        if (_resumeState is not null)
        {
            (_lastSaveStep, _lastCheckpoint) = (_step, RunCheckpoints.PathFor(_options.OutputDirectory, _step));
        }
        SetSchedule(_resumeState?.ScheduleTotalSteps ?? _planner.PlanTotalSteps(ProbeForwardBackward));
        _model.Parameters.ZeroGradients();
        _dashboard.Log($"Schedule: {_totalSteps:N0} steps, {_schedule.WarmupSteps:N0} warmup, peak lr {_options.PeakLearningRate:G3}, " +
            $"{_options.LearningRateDecay.ToString().ToLowerInvariant()} decay; " +
            $"{_model.Parameters.Count:N0} parameters; effective batch {_options.GlobalBatchSize * _options.GradientAccumulation}" +
            (_options.Ranks > 1 ? $" ({_options.Ranks} ranks × {_options.BatchSize}{(_options.GradientAccumulation > 1 ? $" × {_options.GradientAccumulation}" : "")})." : ".") +
            (_options.FirstPhase is { } phase && _firstPhaseSteps > 0 ? $" Steps 1–{_firstPhaseSteps:N0} on sequences of {phase.SequenceLength} tokens, {phase.GlobalBatchSize} to a batch" +
                (_options.TimeBudget is null ? "." : $" (fewer if {phase.Fraction:P0} of the time budget is spent first).") : ""));
        _sessionStart = _clock.GetTimestamp();
        if (_options.OnNonFinite == NonFiniteAction.Rollback && _resumeState is null)
        {
            Save(); // checkpoint-0: what a rollback before the first checkpoint restores
        }
    }

    /// <summary>
    /// Rank 0's <see cref="ReasonToStop"/> and schedule length, on every rank: the time budget, its re-planning and a
    /// stop request are read from rank 0's clock and console alone, so all ranks run the same number of steps.
    /// </summary>
    private StopReason? AgreedReasonToStop()
    {
        var reason = ReasonToStop();
        Span<long> decision = [reason is { } stop ? (long)stop : -1, _totalSteps, SecondPhaseDue() ? 1 : 0];
        _dataParallel.Group.BroadcastFromRankZero(decision);
        if (decision[1] != _totalSteps)
        {
            SetSchedule(decision[1]);
        }
        if (decision[2] == 1)
        {
            BeginSecondPhase();
        }
        return decision[0] < 0 ? null : (StopReason)decision[0];
    }

    /// <summary>Why the loop should stop before the next step, or null to go on.</summary>
    private StopReason? ReasonToStop()
    {
        if (_step >= _totalSteps)
        {
            return StopReason.Completed;
        }
        if (_options.Epochs is { } epochs && EpochFraction(_cursor) >= epochs)
        {
            return StopReason.EpochsDone;
        }
        if (_options.TimeBudget is { } budget && Elapsed() >= budget)
        {
            return StopReason.TimeBudgetSpent;
        }
        return _stopRequested ? StopReason.Interrupted : null;
    }

    /// <summary>Evaluates on the held-out batches (each rank on its share of every batch, then summed), records and plots the result.</summary>
    private void Evaluate()
    {
        long started = _clock.GetTimestamp();
        var evaluation = Evaluator.Evaluate(_model, Evaluator.Batches(_data.Evaluation, _options.EvalBatches).Select(Share).Where(share => share.BatchSize > 0), _data.Specials);
        evaluation.SumOver(_dataParallel.Group);
        (_lastEvaluation, _lastEvalStep) = (evaluation, _step);
        if (_bestEvalLoss is null || evaluation.Loss < _bestEvalLoss)
        {
            (_bestEvalLoss, _bestEvalStep) = (evaluation.Loss, _step);
        }
        _dashboard.Log($"eval @ step {_step}: loss {evaluation.Loss:F4} | MLM acc {evaluation.MlmAccuracy:P2} " +
            $"(at [MASK] {evaluation.MlmAccuracyWhere(MaskedInput.MaskToken):P2}; most-frequent-token baseline {_data.Baseline.Accuracy:P2}) | " +
            $"MLM ppl {evaluation.MlmPerplexity:F1} | NSP acc {evaluation.NspAccuracy:P2} (majority baseline {evaluation.NspMajorityBaseline:P2})");
        if (_metrics is not null)
        {
            _metrics.AppendEvaluation(_step, EpochFraction(_cursor), evaluation, Elapsed());
            CurvePlotter.WriteAll(_metrics.Records, _options.OutputDirectory);
        }
        _lastEvaluationTime = _clock.GetElapsedTime(started);
    }

    /// <summary>Writes checkpoint-{step}: weights, vocabulary, AdamW state and <see cref="TrainerState"/> (rank 0 only: the other ranks hold the same values).</summary>
    private void Save()
    {
        if (!Writes)
        {
            (_lastCheckpoint, _lastSaveStep) = (RunCheckpoints.PathFor(_options.OutputDirectory, _step), _step);
            return;
        }
        var state = new TrainerState
        {
            Step = _step,
            Cursor = _cursor,
            SecondPhaseBegun = _secondPhaseBegun,
            ScheduleTotalSteps = _totalSteps,
            ElapsedSeconds = Elapsed().TotalSeconds,
            BestEvalLoss = _bestEvalLoss,
            BestEvalStep = _bestEvalStep,
            Options = _options,
        };
        _lastCheckpoint = RunCheckpoints.Save(_options.OutputDirectory, _model, _vocabPath, _optimizer.HostState(), state, _options.Keep);
        _lastSaveStep = _step;
        _dashboard.Log($"Saved {_lastCheckpoint}");
    }

    /// <summary>Restores the newest checkpoint after step <paramref name="failedStep"/> went non-finite (see the class summary).</summary>
    private void RollBack(long failedStep, string tensor, double loss, double gradientNorm)
    {
        string trouble = NonFiniteTensors.Describe(failedStep, loss, gradientNorm, tensor);
        if (_rollbacksInARow == MaxRollbacksInARow)
        {
            throw new TrainingDivergedException($"{trouble} The run still fails after {MaxRollbacksInARow} rollbacks in a row " +
                $"without getting past step {_lastFailedStep}, and stops; the last good checkpoint is {_lastCheckpoint}. Try a lower --lr.");
        }
        _rollbacksInARow++;
        _lastFailedStep = Math.Max(_lastFailedStep, failedStep);

        // The checkpoint's weights are read into host memory, then go back to the model's device.
        var device = _model.Device;
        _model.MoveTo(Device.Cpu);
        var (state, optimizer) = RunCheckpoints.Restore(_lastCheckpoint, _model);
        _model.MoveTo(device);
        _optimizer.LoadState([optimizer]); // in place: no new device memory per rollback
        (_step, _bestEvalLoss, _bestEvalStep) = (state.Step, state.BestEvalLoss, state.BestEvalStep);
        SetSchedule(state.ScheduleTotalSteps);
        (_lastSaveStep, _lastEvalStep, _lastEvaluation) = (_step, -1, null);

        var rollback = new RollbackResult(failedStep, _step, tensor, _lastCheckpoint, _rollbacksInARow);
        _metrics?.CutBackTo(_step);
        _metrics?.AppendRollback(_step, EpochFraction(_cursor), rollback, loss, gradientNorm, Elapsed());
        _dashboard.Log($"warning: {trouble} Rolled back to {_lastCheckpoint} (step {_step}; rollback {_rollbacksInARow} of at most " +
            $"{MaxRollbacksInARow} in a row); training goes on from {_cursor}.");
        RolledBack?.Invoke(rollback);
    }

    /// <summary>One forward and backward pass on the first batch, for the planner to time (no update; the caller zeroes the gradients).</summary>
    private void ProbeForwardBackward()
    {
        var batch = Share(_data.Training.GetEpoch(_cursor.Epoch).GetBatch(_cursor.BatchIndex));
        using var scope = new TensorScope();
        _model.Forward(batch.ToInputs(), new ForwardContext { Training = true, DropoutSeed = 0 }).Loss.Backward();
    }

    /// <summary>Linear warmup then the run's decay to 0 at <paramref name="totalSteps"/>.</summary>
    private void SetSchedule(long totalSteps)
    {
        _totalSteps = totalSteps;
        _firstPhaseSteps = _options.FirstPhaseSteps(totalSteps); // a plan made again moves the switch (never back: see BeginSecondPhase)
        _schedule = new LearningRateSchedule(_options.PeakLearningRate, _options.WarmupSteps(totalSteps), totalSteps, _options.LearningRateDecay);
    }

    private TrainingSummary Summary() => new()
    {
        Steps = _step,
        Elapsed = Elapsed(),
        Epochs = EpochFraction(_cursor),
        FinalTrainLoss = _lastStep?.Loss,
        FinalEvalLoss = _lastEvaluation!.Loss,
        EvalMlmAccuracy = _lastEvaluation.MlmAccuracy,
        EvalNspAccuracy = _lastEvaluation.NspAccuracy,
        EvalMlmPerplexity = _lastEvaluation.MlmPerplexity,
        TokensPerSecond = _sessionTokens / Math.Max(SessionElapsed().TotalSeconds, 1e-9),
        RunDirectory = Path.GetFullPath(_options.OutputDirectory),
    };

    private TimeSpan SessionElapsed() => _clock.GetElapsedTime(_sessionStart);

    /// <summary>Training time of the whole run: earlier sessions (when resumed) and this one.</summary>
    private TimeSpan Elapsed() => TimeSpan.FromSeconds(_resumeState?.ElapsedSeconds ?? 0) + SessionElapsed();

    private double EpochFraction(DataCursor cursor) =>
        cursor.Epoch + (double)cursor.BatchIndex / Math.Max(1, TrainingBatches.BatchesPerEpoch(cursor.Epoch));

    /// <summary>Room for <paramref name="keep"/> + 1 checkpoints (weights + two AdamW moments) and 50 MB of logs and plots.</summary>
    private static long RequiredFreeBytes(BertForPreTraining model, int keep) => (keep + 1) * 3L * 4 * model.Parameters.Count + 50_000_000;
}

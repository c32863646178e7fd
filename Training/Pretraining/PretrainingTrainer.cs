using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Optim;
using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Training.Pretraining;

/// <summary>
/// The pretraining loop. Each optimizer step: zero the gradients; for each micro-batch, forward in training mode
/// (dropout seeded from (seed, step, micro-batch)) and backward; average the gradients over the micro-batches; clip
/// them to global norm <see cref="PretrainingOptions.MaxGradNorm"/>; one AdamW update at the schedule's learning
/// rate. Evaluates, logs, plots and checkpoints at the configured intervals and at the end. Everything that decides
/// the numbers is a function of the options and the <see cref="TrainerState"/>, so a resumed run repeats an
/// uninterrupted one exactly.
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
/// Everything runs on the model's device (<see cref="BertForPreTraining.MoveTo"/>). On a GPU the averaging, the
/// clipping and the update run there too (<see cref="DeviceAdamW"/>); per step only the per-row losses, one arg-max
/// index per row (for the accuracies) and the gradient norm come back to the host. Checkpoints are written in the same
/// format.
/// </para>
/// </summary>
public sealed class PretrainingTrainer
{
    /// <summary>Seconds a checkpoint save is assumed to take when planning steps for a time budget.</summary>
    private const double AssumedSaveSeconds = 2;

    /// <summary>A forward pass without backward costs about this fraction of a training step.</summary>
    private const double ForwardFractionOfStep = 0.35;

    /// <summary>Rollbacks allowed without completing the step that failed; one more failure stops the run.</summary>
    public const int MaxRollbacksInARow = 3;

    private readonly BertForPreTraining _model;
    private readonly PretrainingDataset _data;
    private readonly PretrainingOptions _options;
    private readonly TrainingDashboard _dashboard;
    private AdamW _optimizer;

    /// <summary>The update on a GPU, made from <see cref="_optimizer"/>'s state; null when the model is on the CPU.</summary>
    private DeviceAdamW? _deviceOptimizer;
    private readonly TrainerState? _resumeState;
    private readonly string _sourceVocabPath;

    /// <summary>The run's own copy of the vocabulary, which every checkpoint copies (the source may be a checkpoint that gets deleted).</summary>
    private readonly string _vocabPath;
    private volatile bool _stopRequested;

    /// <summary>The clock the time budget is planned and checked against (the system's, or one a test hands in).</summary>
    private readonly TimeProvider _clock;

    /// <summary>
    /// A trainer for <paramref name="model"/> (random or loaded weights) on <paramref name="data"/>; pass the state and
    /// optimizer of a checkpoint to resume, or null for both to start at step 0.
    /// </summary>
    public PretrainingTrainer(BertForPreTraining model, PretrainingDataset data, string vocabPath, PretrainingOptions options,
        TrainingDashboard dashboard, TrainerState? resumeState = null, AdamW? resumeOptimizer = null, TimeProvider? clock = null)
    {
        options.Validate();
        if ((resumeState is null) != (resumeOptimizer is null))
        {
            throw new ArgumentException("Resuming needs both the trainer state and the optimizer state.");
        }
        _model = model;
        _data = data;
        _options = options;
        _dashboard = dashboard;
        _resumeState = resumeState;
        _optimizer = resumeOptimizer ?? new AdamW(
            WeightDecayRule.Segments(model.Parameters.Parameters.Select(p => (p.Name, p.Offset, p.Value.Size))),
            new AdamWOptions { WeightDecay = options.WeightDecay, Beta2 = options.AdamBeta2 });
        _deviceOptimizer = model.Device.IsCpu ? null : new DeviceAdamW(_optimizer, model.Parameters);
        _sourceVocabPath = vocabPath;
        _vocabPath = Path.Combine(options.OutputDirectory, "vocab.txt");
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Raised after every optimizer step (not after a step that was rolled back).</summary>
    public event Action<StepResult>? StepCompleted;

    /// <summary>Raised after a rollback has restored a checkpoint, before the next step.</summary>
    public event Action<RollbackResult>? RolledBack;

    /// <summary>The optimizer in use (a rollback replaces it with the checkpoint's); on a GPU, its state as of the last checkpoint.</summary>
    internal AdamW Optimizer => _optimizer;

    /// <summary>Asks the loop to stop after the current step (then it evaluates and saves as at the end).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Trains until the plan, the epochs or the time budget is done, or a stop is requested.</summary>
    public TrainingResult Run()
    {
        string runDirectory = _options.OutputDirectory;
        OutputDirectoryCheck.EnsureWritable(runDirectory, RequiredFreeBytes(_model, _options.Keep));
        if (Path.GetFullPath(_sourceVocabPath) != Path.GetFullPath(_vocabPath))
        {
            File.Copy(_sourceVocabPath, _vocabPath, overwrite: true);
        }
        var parameters = _model.Parameters;
        long step = _resumeState?.Step ?? 0;
        var cursor = _resumeState?.Cursor ?? DataCursor.Start;
        double? bestEvalLoss = _resumeState?.BestEvalLoss;
        long? bestEvalStep = _resumeState?.BestEvalStep;
        var priorElapsed = TimeSpan.FromSeconds(_resumeState?.ElapsedSeconds ?? 0);

        using var metrics = RunMetrics.Open(runDirectory, _resumeState is null ? null : step, warning => _dashboard.Log($"warning: {warning}"));
        var (totalSteps, plannedFromBudget) = _resumeState is null ? PlanTotalSteps(cursor) : (_resumeState.ScheduleTotalSteps, false);
        var schedule = Schedule(totalSteps);
        _dashboard.Log($"Schedule: {totalSteps:N0} steps, {schedule.WarmupSteps:N0} warmup, peak lr {_options.PeakLearningRate:G3}; " +
            $"{parameters.Count:N0} parameters; effective batch {_options.BatchSize * _options.GradientAccumulation}.");

        long started = _clock.GetTimestamp();
        TimeSpan SessionElapsed() => _clock.GetElapsedTime(started);
        TimeSpan Elapsed() => priorElapsed + SessionElapsed();
        long sessionTokens = 0;
        long lastEvalStep = -1, lastSaveStep = _resumeState is null ? -1 : step;
        PretrainingMetrics? lastEvaluation = null;
        StepResult? lastStep = null;
        string lastCheckpoint = _resumeState is null ? "" : RunCheckpoints.PathFor(runDirectory, step);

        TrainerState State() => new()
        {
            Step = step,
            Cursor = cursor,
            ScheduleTotalSteps = totalSteps,
            ElapsedSeconds = Elapsed().TotalSeconds,
            BestEvalLoss = bestEvalLoss,
            BestEvalStep = bestEvalStep,
            Options = _options,
        };

        TimeSpan replanElapsed = TimeSpan.Zero, lastEvaluationTime = TimeSpan.Zero;

        void Evaluate()
        {
            long evaluationStarted = _clock.GetTimestamp();
            lastEvaluation = Evaluator.Evaluate(_model, Evaluator.Batches(_data.Evaluation, _options.EvalBatches), _data.Specials.Mask);
            lastEvalStep = step;
            if (bestEvalLoss is null || lastEvaluation.Loss < bestEvalLoss)
            {
                (bestEvalLoss, bestEvalStep) = (lastEvaluation.Loss, step);
            }
            var record = new MetricsRecord
            {
                Step = step,
                Split = MetricsSplit.Eval,
                Epoch = EpochFraction(cursor),
                Loss = lastEvaluation.Loss,
                MlmLoss = lastEvaluation.MlmLoss,
                NspLoss = lastEvaluation.NspLoss,
                MlmAccuracy = lastEvaluation.MlmAccuracy,
                MlmAccuracyAtMask = lastEvaluation.MlmAccuracyWhere(MaskedInput.MaskToken),
                MlmAccuracyAtRandom = lastEvaluation.MlmAccuracyWhere(MaskedInput.Random),
                MlmAccuracyAtKept = lastEvaluation.MlmAccuracyWhere(MaskedInput.Kept),
                NspAccuracy = lastEvaluation.NspAccuracy,
                MlmPerplexity = lastEvaluation.MlmPerplexity,
                ElapsedSeconds = Elapsed().TotalSeconds,
            };
            metrics.Append(record);
            _dashboard.Log($"eval @ step {step}: loss {lastEvaluation.Loss:F4} | MLM acc {lastEvaluation.MlmAccuracy:P2} " +
                $"(at [MASK] {lastEvaluation.MlmAccuracyWhere(MaskedInput.MaskToken):P2}) | " +
                $"MLM ppl {lastEvaluation.MlmPerplexity:F1} | NSP acc {lastEvaluation.NspAccuracy:P2}");
            CurvePlotter.WriteAll(metrics.Records, runDirectory);
            lastEvaluationTime = _clock.GetElapsedTime(evaluationStarted);
        }

        void Save()
        {
            _deviceOptimizer?.CopyStateToHost();
            lastCheckpoint = RunCheckpoints.Save(runDirectory, _model, _vocabPath, _optimizer, State(), _options.Keep);
            lastSaveStep = step;
            _dashboard.Log($"Saved {lastCheckpoint}");
        }

        int rollbacksInARow = 0;
        long lastFailedStep = 0;

        // Restores the newest checkpoint after step failedStep went non-finite (see the class summary).
        void RollBack(long failedStep, string tensor, double loss, double gradientNorm)
        {
            string trouble = NonFiniteTensors.Describe(failedStep, loss, gradientNorm, tensor);
            if (rollbacksInARow == MaxRollbacksInARow)
            {
                throw new TrainingDivergedException($"{trouble} The run still fails after {MaxRollbacksInARow} rollbacks in a row " +
                    $"without getting past step {lastFailedStep}, and stops; the last good checkpoint is {lastCheckpoint}. Try a lower --lr.");
            }
            rollbacksInARow++;
            lastFailedStep = Math.Max(lastFailedStep, failedStep);
            // The checkpoint's weights are read into host memory, then go back to the model's device.
            var device = _model.Device;
            _model.MoveTo(Device.Cpu);
            var (state, optimizer) = RunCheckpoints.Restore(lastCheckpoint, _model);
            _model.MoveTo(device);
            _optimizer = optimizer;
            if (_deviceOptimizer is not null)
            {
                _deviceOptimizer.Dispose();
                _deviceOptimizer = new DeviceAdamW(optimizer, _model.Parameters);
            }
            (step, totalSteps, bestEvalLoss, bestEvalStep) = (state.Step, state.ScheduleTotalSteps, state.BestEvalLoss, state.BestEvalStep);
            schedule = Schedule(totalSteps);
            (lastSaveStep, lastEvalStep, lastEvaluation) = (step, -1, null);
            metrics.CutBackTo(step);
            metrics.Append(new MetricsRecord
            {
                Step = step,
                Split = MetricsSplit.Rollback,
                Epoch = EpochFraction(cursor),
                Loss = loss,
                GradNorm = gradientNorm,
                ElapsedSeconds = Elapsed().TotalSeconds,
                FailedStep = failedStep,
                Tensor = tensor,
            });
            _dashboard.Log($"warning: {trouble} Rolled back to {lastCheckpoint} (step {step}; rollback {rollbacksInARow} of at most " +
                $"{MaxRollbacksInARow} in a row); training goes on from {cursor}.");
            RolledBack?.Invoke(new RollbackResult(failedStep, step, tensor, lastCheckpoint, rollbacksInARow));
        }

        if (_options.OnNonFinite == NonFiniteAction.Rollback && _resumeState is null)
        {
            Save(); // checkpoint-0: what a rollback before the first checkpoint restores
        }

        var reason = StopReason.Completed;
        using (var batches = _data.Training.Read(cursor).GetEnumerator())
        {
            while (true)
            {
                if (step >= totalSteps)
                {
                    reason = StopReason.Completed;
                    break;
                }
                if (_options.Epochs is { } epochs && EpochFraction(cursor) >= epochs)
                {
                    reason = StopReason.EpochsDone;
                    break;
                }
                if (_options.TimeBudget is { } budget && Elapsed() >= budget)
                {
                    reason = StopReason.TimeBudgetSpent;
                    break;
                }
                if (_stopRequested)
                {
                    reason = StopReason.Interrupted;
                    break;
                }

                double learningRate = schedule.LearningRate(step);
                var stepMetrics = new PretrainingMetrics();
                parameters.ZeroGradients();
                for (int micro = 0; micro < _options.GradientAccumulation; micro++)
                {
                    batches.MoveNext();
                    var positioned = batches.Current;
                    cursor = positioned.Next;
                    sessionTokens += positioned.Batch.RealTokenCount;
                    ForwardBackward(positioned.Batch, DropoutSeeds.For(_options.Seed, step, micro), stepMetrics);
                }
                double norm = AverageAndClipGradients(out float clipScale);
                bool skipped = !double.IsFinite(norm) || !stepMetrics.LossesAreFinite;
                if (skipped)
                {
                    string tensor = NonFiniteTensors.First([parameters]) ?? "loss";
                    if (_options.OnNonFinite == NonFiniteAction.Rollback)
                    {
                        RollBack(step + 1, tensor, stepMetrics.Loss, norm);
                        continue;
                    }
                    _dashboard.Log($"warning: {NonFiniteTensors.Describe(step + 1, stepMetrics.Loss, norm, tensor)} The update is skipped.");
                }
                else
                {
                    UpdateParameters(learningRate, clipScale);
                }
                step++;
                if (!skipped && step >= lastFailedStep)
                {
                    rollbacksInARow = 0;
                }
                if (plannedFromBudget && step == ReplanAfterSteps)
                {
                    // The probe timed one step, perhaps at a busy moment: plan again from real steps.
                    totalSteps = ReplanWithinBudget(_options.TimeBudget!.Value, step, Elapsed());
                    schedule = Schedule(totalSteps);
                    replanElapsed = Elapsed();
                }

                lastStep = new StepResult(step, stepMetrics.Loss, stepMetrics.MlmLoss, stepMetrics.NspLoss,
                    stepMetrics.MlmAccuracy, stepMetrics.NspAccuracy, learningRate, norm, skipped);
                double tokensPerSecond = sessionTokens / Math.Max(SessionElapsed().TotalSeconds, 1e-9);
                metrics.Append(new MetricsRecord
                {
                    Step = step,
                    Split = MetricsSplit.Train,
                    Epoch = EpochFraction(cursor),
                    Loss = lastStep.Loss,
                    MlmLoss = lastStep.MlmLoss,
                    NspLoss = lastStep.NspLoss,
                    MlmAccuracy = lastStep.MlmAccuracy,
                    NspAccuracy = lastStep.NspAccuracy,
                    LearningRate = learningRate,
                    GradNorm = norm,
                    TokensPerSecond = tokensPerSecond,
                    ElapsedSeconds = Elapsed().TotalSeconds,
                });
                StepCompleted?.Invoke(lastStep);
                _dashboard.Update(new TrainingProgress
                {
                    Step = step,
                    TotalSteps = totalSteps,
                    Epoch = EpochFraction(cursor),
                    Loss = lastStep.Loss,
                    MlmAccuracy = lastStep.MlmAccuracy,
                    NspAccuracy = lastStep.NspAccuracy,
                    LearningRate = learningRate,
                    TokensPerSecond = tokensPerSecond,
                    Elapsed = Elapsed(),
                });

                if (step % _options.EvalEvery == 0)
                {
                    Evaluate();
                }
                if (step % _options.CheckpointEvery == 0)
                {
                    Save();
                }
                if (plannedFromBudget && step % _options.EvalEvery == 0 && step > ReplanAfterSteps && step <= totalSteps / 2)
                {
                    // Steady pace since the first re-plan, evaluations and saves included: the first steps run
                    // slower (the JIT recompiles hot code with optimisations), and the machine's load may change.
                    totalSteps = ReplanFromPace(_options.TimeBudget!.Value, step, Elapsed(), replanElapsed, lastEvaluationTime);
                    schedule = Schedule(totalSteps);
                }
            }
        }

        if (reason == StopReason.Interrupted)
        {
            _dashboard.Log($"Stop requested: saving at step {step}.");
        }
        if (lastEvalStep != step || lastEvaluation is null)
        {
            Evaluate();
        }
        if (lastSaveStep != step)
        {
            Save();
        }
        _dashboard.Summary(new TrainingSummary
        {
            Steps = step,
            Elapsed = Elapsed(),
            Epochs = EpochFraction(cursor),
            FinalTrainLoss = lastStep?.Loss,
            FinalEvalLoss = lastEvaluation!.Loss,
            EvalMlmAccuracy = lastEvaluation.MlmAccuracy,
            EvalNspAccuracy = lastEvaluation.NspAccuracy,
            EvalMlmPerplexity = lastEvaluation.MlmPerplexity,
            TokensPerSecond = sessionTokens / Math.Max(SessionElapsed().TotalSeconds, 1e-9),
            RunDirectory = Path.GetFullPath(runDirectory),
        });
        return new TrainingResult(step, reason, lastEvaluation, lastCheckpoint, Elapsed());
    }

    /// <summary>
    /// Averages the gradients over the micro-batches and clips them to <see cref="PretrainingOptions.MaxGradNorm"/>;
    /// returns their norm before clipping. On the CPU the gradients are scaled in place (<paramref name="clipScale"/>
    /// is 1); on a GPU the clipping factor is returned, for the update to apply.
    /// </summary>
    private double AverageAndClipGradients(out float clipScale)
    {
        if (_deviceOptimizer is { } onDevice)
        {
            onDevice.AverageMicroBatches(_options.GradientAccumulation);
            (double norm, clipScale) = onDevice.GlobalNormAndClipScale(_options.MaxGradNorm);
            return norm;
        }
        var gradients = _model.Parameters.Gradients;
        GradientAccumulation.AverageMicroBatches(gradients, _options.GradientAccumulation);
        clipScale = 1f;
        return GradientClipping.ClipByGlobalNorm(gradients, _options.MaxGradNorm);
    }

    /// <summary>One AdamW update where the parameters are: <see cref="AdamW"/> on the CPU, <see cref="DeviceAdamW"/> on a GPU.</summary>
    private void UpdateParameters(double learningRate, float clipScale)
    {
        if (_deviceOptimizer is { } onDevice)
        {
            onDevice.Step(learningRate, clipScale);
        }
        else
        {
            _optimizer.Step(_model.Parameters.Values, _model.Parameters.Gradients, learningRate);
        }
    }

    /// <summary>Linear warmup then linear decay to 0 at <paramref name="totalSteps"/>.</summary>
    private LearningRateSchedule Schedule(long totalSteps) =>
        new(_options.PeakLearningRate, _options.WarmupSteps(totalSteps), totalSteps);

    /// <summary>One micro-batch: forward (training mode), backward (gradients add up), losses read as numbers.</summary>
    private void ForwardBackward(PretrainingBatch batch, ulong dropoutSeed, PretrainingMetrics metrics)
    {
        using (new TensorScope())
        {
            var output = _model.Forward(batch.ToInputs(), new ForwardContext { Training = true, DropoutSeed = dropoutSeed });
            output.Loss.Backward();
            metrics.Add(output);
        }
    }

    /// <summary>
    /// The schedule's total steps T: <c>--steps</c> when given; else from <c>--epochs</c> (epoch 0's batch count);
    /// else from the time budget and the measured time of one step (the smallest when several apply).
    /// FromBudget tells whether the budget decided T (then it is planned again after <see cref="ReplanAfterSteps"/> steps).
    /// </summary>
    private (long Steps, bool FromBudget) PlanTotalSteps(DataCursor start)
    {
        if (_options.Steps is { } steps)
        {
            return (steps, false);
        }
        long? fromEpochs = _options.Epochs is { } epochs
            ? Math.Max(1, (long)Math.Ceiling(epochs * _data.Training.BatchesPerEpoch(0) / _options.GradientAccumulation))
            : null;
        if (_options.TimeBudget is not { } budget)
        {
            return (fromEpochs!.Value, false);
        }
        long fromBudget = StepsWithinBudget(budget, MeasureStepSeconds(start));
        return fromEpochs is { } epochSteps && epochSteps <= fromBudget ? (epochSteps, false) : (fromBudget, true);
    }

    /// <summary>Real steps after which a budget-planned schedule is planned again from their measured pace.</summary>
    internal const int ReplanAfterSteps = 20;

    /// <summary>
    /// Times a forward+backward pass on the first batch (twice; the first run warms up the JIT; no update is made
    /// and the gradients are zeroed after). Returns seconds per optimizer step.
    /// </summary>
    private double MeasureStepSeconds(DataCursor start)
    {
        var batch = _data.Training.GetEpoch(start.Epoch).GetBatch(start.BatchIndex);
        var probe = new PretrainingMetrics();
        ForwardBackward(batch, 0, probe);
        long started = _clock.GetTimestamp();
        ForwardBackward(batch, 0, probe);
        double stepSeconds = _clock.GetElapsedTime(started).TotalSeconds * _options.GradientAccumulation * 1.05;
        _model.Parameters.ZeroGradients();
        _dashboard.Log($"Measured {stepSeconds * 1000:F0} ms per step before training.");
        return stepSeconds;
    }

    /// <summary>
    /// Fits steps, evaluations and saves into <paramref name="budget"/>:
    /// T = (budget − final evaluation) / (step + evaluation/EvalEvery + save/CheckpointEvery).
    /// </summary>
    private long StepsWithinBudget(TimeSpan budget, double stepSeconds)
    {
        int evalBatches = _options.EvalBatches == 0 ? _data.Evaluation.BatchCount : Math.Min(_options.EvalBatches, _data.Evaluation.BatchCount);
        double evalSeconds = evalBatches * stepSeconds / _options.GradientAccumulation * ForwardFractionOfStep;
        double perStep = stepSeconds + evalSeconds / _options.EvalEvery + AssumedSaveSeconds / _options.CheckpointEvery;
        double available = budget.TotalSeconds - evalSeconds - AssumedSaveSeconds;
        long steps = Math.Max(1, (long)(available / perStep));
        _dashboard.Log($"Planning {steps:N0} steps for the {budget:hh\\:mm\\:ss} left of the budget ({stepSeconds * 1000:F0} ms per step).");
        return steps;
    }

    /// <summary>T planned again after <paramref name="stepsDone"/> real steps that took <paramref name="elapsed"/>.</summary>
    private long ReplanWithinBudget(TimeSpan budget, long stepsDone, TimeSpan elapsed)
    {
        double stepSeconds = elapsed.TotalSeconds / stepsDone;
        var remaining = budget - elapsed;
        return stepsDone + (remaining > TimeSpan.Zero ? StepsWithinBudget(remaining, stepSeconds) : 0);
    }

    /// <summary>
    /// T planned again at an evaluation in the first half of the run, from the pace of the steps since the first
    /// re-plan (at <see cref="ReplanAfterSteps"/>, elapsed <paramref name="paceStart"/>), evaluations and saves
    /// included: T = step + (budget − elapsed − final evaluation − final save) / seconds per step. In the first half a
    /// relative change of T changes the learning rate of the linear decay by at most about as much, relatively (by
    /// less the earlier it comes), so the schedule has no large jumps.
    /// </summary>
    private long ReplanFromPace(TimeSpan budget, long step, TimeSpan elapsed, TimeSpan paceStart, TimeSpan evaluationTime)
    {
        double stepSeconds = (elapsed - paceStart).TotalSeconds / (step - ReplanAfterSteps);
        double secondsLeft = (budget - elapsed).TotalSeconds - evaluationTime.TotalSeconds - AssumedSaveSeconds;
        long steps = step + Math.Max(0, (long)(secondsLeft / stepSeconds));
        _dashboard.Log($"Planning {steps:N0} steps: {stepSeconds * 1000:F0} ms per step since step {ReplanAfterSteps}, evaluations and saves included.");
        return steps;
    }

    private double EpochFraction(DataCursor cursor) =>
        cursor.Epoch + (double)cursor.BatchIndex / Math.Max(1, _data.Training.BatchesPerEpoch(cursor.Epoch));

    /// <summary>Room for <paramref name="keep"/> + 1 checkpoints (weights + two AdamW moments) and 50 MB of logs and plots.</summary>
    private static long RequiredFreeBytes(BertForPreTraining model, int keep) => (keep + 1) * 3L * 4 * model.Parameters.Count + 50_000_000;
}

using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Training.Pretraining;

/// <summary>A run's <c>metrics.jsonl</c> being written, with the records so far (which the plots are drawn from).</summary>
internal sealed class RunMetrics : IDisposable
{
    private readonly string _path;
    private readonly Action<string> _warn;
    private readonly List<MetricsRecord> _records = [];
    private MetricsLog _log;

    private RunMetrics(string path, long? keepThroughStep, Action<string> warn)
    {
        _path = path;
        _warn = warn;
        _log = Open(keepThroughStep, warnings: true);
    }

    /// <summary>All records of the log, oldest first.</summary>
    public IReadOnlyList<MetricsRecord> Records => _records;

    /// <summary>
    /// The metrics of <paramref name="runDirectory"/>: a new log, or with <paramref name="keepThroughStep"/> the
    /// existing one cut back to that step (see <see cref="MetricsLog.Resume"/>); its warnings go to <paramref name="warn"/>.
    /// </summary>
    public static RunMetrics Open(string runDirectory, long? keepThroughStep, Action<string> warn) =>
        new(MetricsLog.PathFor(runDirectory), keepThroughStep, warn);

    /// <summary>Writes <paramref name="record"/> to the file and keeps it.</summary>
    public void Append(MetricsRecord record)
    {
        _log.Append(record);
        _records.Add(record);
    }

    /// <summary>The train record of a step: its losses and accuracies, learning rate, gradient norm and pace.</summary>
    public void AppendStep(StepResult step, double epoch, double tokensPerSecond, TimeSpan elapsed) => Append(new MetricsRecord
    {
        Step = step.Step,
        Split = MetricsSplit.Train,
        Epoch = epoch,
        Loss = step.Loss,
        MlmLoss = step.MlmLoss,
        NspLoss = step.NspLoss,
        MlmAccuracy = step.MlmAccuracy,
        NspAccuracy = step.NspAccuracy,
        LearningRate = step.LearningRate,
        GradNorm = step.GradNorm,
        TokensPerSecond = tokensPerSecond,
        ElapsedSeconds = elapsed.TotalSeconds,
    });

    /// <summary>The eval record of a held-out evaluation at <paramref name="step"/>.</summary>
    public void AppendEvaluation(long step, double epoch, PretrainingMetrics evaluation, TimeSpan elapsed) => Append(new MetricsRecord
    {
        Step = step,
        Split = MetricsSplit.Eval,
        Epoch = epoch,
        Loss = evaluation.Loss,
        MlmLoss = evaluation.MlmLoss,
        NspLoss = evaluation.NspLoss,
        MlmAccuracy = evaluation.MlmAccuracy,
        MlmAccuracyAtMask = evaluation.MlmAccuracyWhere(MaskedInput.MaskToken),
        MlmAccuracyAtRandom = evaluation.MlmAccuracyWhere(MaskedInput.Random),
        MlmAccuracyAtKept = evaluation.MlmAccuracyWhere(MaskedInput.Kept),
        NspAccuracy = evaluation.NspAccuracy,
        NspMajorityBaseline = evaluation.NspMajorityBaseline,
        MlmPerplexity = evaluation.MlmPerplexity,
        ElapsedSeconds = elapsed.TotalSeconds,
    });

    /// <summary>The rollback record: at the restored step, why (the failed step, its loss and norm, the first non-finite tensor).</summary>
    public void AppendRollback(long restoredStep, double epoch, RollbackResult rollback, double loss, double gradientNorm, TimeSpan elapsed) =>
        Append(new MetricsRecord
        {
            Step = restoredStep,
            Split = MetricsSplit.Rollback,
            Epoch = epoch,
            Loss = loss,
            GradNorm = gradientNorm,
            ElapsedSeconds = elapsed.TotalSeconds,
            FailedStep = rollback.FailedStep,
            Tensor = rollback.Tensor,
        });

    /// <summary>
    /// Drops the records after <paramref name="step"/>, in the file too, as when resuming from that step (without the
    /// warning that says how many: the caller logs why).
    /// </summary>
    public void CutBackTo(long step)
    {
        _log.Dispose();
        _log = Open(step, warnings: false);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _log.Dispose();

    private MetricsLog Open(long? keepThroughStep, bool warnings)
    {
        _records.Clear();
        if (keepThroughStep is not { } step)
        {
            return MetricsLog.StartNew(_path);
        }
        var log = MetricsLog.Resume(_path, step, out var kept);
        _records.AddRange(kept.Records);
        foreach (string warning in warnings ? kept.Warnings : [])
        {
            _warn(warning);
        }
        return log;
    }
}

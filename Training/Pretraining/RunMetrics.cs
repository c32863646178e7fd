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

namespace MiniBioBert.Training.Reporting;

/// <summary>The records of a metrics file, in file order, and what was skipped (e.g. a truncated last line).</summary>
internal sealed record MetricsReadResult(IReadOnlyList<MetricsRecord> Records, IReadOnlyList<string> Warnings);

using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace MiniBioBert.Benchmarks;

/// <summary>
/// GFLOP/s = operations per invocation (from the <see cref="IFlopCount"/> parameter) / median time. The median, not
/// the mean, so that a few iterations slowed down by other work on a shared machine do not drag the figure down.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Floating-point operations per second, in billions (2·M·N·K / median time)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var flops = benchmarkCase.Parameters.Items.Select(item => item.Value).OfType<IFlopCount>().FirstOrDefault();
        double? medianNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Median;
        return flops is null || medianNanoseconds is null or 0 ? "-" : (flops.Flops / medianNanoseconds.Value).ToString("F1");
    }
}

/// <summary>
/// A short job (one launch, 3 warm-up and 8 measured iterations: minutes, not hours) run in this process, plus the
/// GFLOP/s column and parameter columns wide enough for the shape names.
/// </summary>
public sealed class GemmBenchmarkConfig : ManualConfig
{
    public GemmBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(8)
            .WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(new GflopsColumn());
        SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(40);
    }
}

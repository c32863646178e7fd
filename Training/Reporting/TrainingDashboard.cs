using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MiniBioBert.Training.Reporting;

/// <summary>
/// Console display of a training run. On an interactive terminal: a live progress bar and one-row table, redrawn at
/// most 4 times a second, with <see cref="Log"/> messages scrolling above it. When output is redirected (or the
/// console is not interactive): one plain line per <c>plainLineInterval</c>. Call from one thread only.
/// </summary>
internal sealed class TrainingDashboard : IDisposable
{
    private const int BarWidth = 40;
    private static readonly TimeSpan LiveRefreshInterval = TimeSpan.FromMilliseconds(250);

    private readonly IAnsiConsole _console;
    private readonly TimeSpan _refreshInterval;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastRefresh;
    private (long Step, TimeSpan Time)? _firstUpdate;
    private LiveSession? _live;

    /// <summary>
    /// A dashboard on <paramref name="console"/> (default: the process console, live only when stdout is a terminal).
    /// <paramref name="plainLineInterval"/> (default 10 s) spaces the plain lines of non-interactive output.
    /// </summary>
    public TrainingDashboard(IAnsiConsole? console = null, TimeSpan? plainLineInterval = null)
    {
        _console = console ?? AnsiConsole.Console;
        Capabilities capabilities = _console.Profile.Capabilities;
        IsInteractive = capabilities.Interactive && capabilities.Ansi && (console is not null || !Console.IsOutputRedirected);
        _refreshInterval = IsInteractive ? LiveRefreshInterval : plainLineInterval ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>True when showing the live display, false when writing plain lines.</summary>
    public bool IsInteractive { get; }

    /// <summary>Shows <paramref name="progress"/> unless the display was refreshed too recently; the last step always shows.</summary>
    public void Update(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        TimeSpan now = _clock.Elapsed;
        _firstUpdate ??= (progress.Step, now);
        bool lastStep = progress.Step >= progress.TotalSteps;
        bool refreshedRecently = _lastRefresh is TimeSpan last && now - last < _refreshInterval;
        if (!lastStep && refreshedRecently)
        {
            return;
        }
        _lastRefresh = now;

        TimeSpan? eta = EstimateRemaining(progress, now);
        if (IsInteractive)
        {
            _live ??= new LiveSession(_console);
            _live.Show(LiveView(progress, eta, progress.Elapsed ?? now));
        }
        else
        {
            WriteUnwrapped(PlainLine(progress, eta, progress.Elapsed ?? now));
        }
    }

    /// <summary>Writes a message line (above the live display when it is shown).</summary>
    public void Log(string message)
    {
        if (IsInteractive)
        {
            _console.WriteLine(message);
        }
        else
        {
            WriteUnwrapped(message);
        }
    }

    /// <summary>Ends the live display and prints the end-of-run table.</summary>
    public void Summary(TrainingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        StopLive();
        var table = new Table { Title = new TableTitle("Training summary") };
        table.AddColumn("Metric");
        table.AddColumn(new TableColumn("Value").RightAligned());
        void Row(string name, string? value)
        {
            if (value is not null && value != "–")
            {
                table.AddRow(new Text(name), new Text(value));
            }
        }
        Row("Steps", summary.Steps.ToString(CultureInfo.InvariantCulture));
        Row("Epochs", ProgressText.Epoch(summary.Epochs));
        Row("Wall-clock time", ProgressText.Duration(summary.Elapsed));
        Row("Final train loss", ProgressText.Loss(summary.FinalTrainLoss));
        Row("Final eval loss", ProgressText.Loss(summary.FinalEvalLoss));
        Row("Eval MLM accuracy", ProgressText.Accuracy(summary.EvalMlmAccuracy));
        Row("Eval NSP accuracy", ProgressText.Accuracy(summary.EvalNspAccuracy));
        Row("Eval MLM perplexity", ProgressText.Loss(summary.EvalMlmPerplexity));
        Row("Tokens/s", ProgressText.TokensPerSecond(summary.TokensPerSecond));
        Row("Run directory", summary.RunDirectory);
        _console.Write(table);
    }

    /// <summary>Ends the live display, leaving its last state on screen.</summary>
    public void Dispose() => StopLive();

    /// <summary>Plain output bypasses Spectre's wrapping at the console width, so each line of a log file stays one line.</summary>
    private void WriteUnwrapped(string line) => _console.Profile.Out.Writer.WriteLine(line);

    private void StopLive()
    {
        _live?.Stop();
        _live = null;
    }

    /// <summary>Remaining time at the rate measured since the first update (so a resumed run is not skewed).</summary>
    private TimeSpan? EstimateRemaining(TrainingProgress progress, TimeSpan now)
    {
        var (firstStep, firstTime) = _firstUpdate!.Value;
        long stepsDone = progress.Step - firstStep;
        if (stepsDone <= 0)
        {
            return null;
        }
        return (now - firstTime) / stepsDone * Math.Max(0, progress.TotalSteps - progress.Step);
    }

    private static string PlainLine(TrainingProgress p, TimeSpan? eta, TimeSpan elapsed) =>
        $"step {ProgressText.Step(p.Step, p.TotalSteps)} ({Percent(p):0.0}%) | epoch {ProgressText.Epoch(p.Epoch)}"
        + $" | loss {ProgressText.Loss(p.Loss)} | mlm_acc {ProgressText.Accuracy(p.MlmAccuracy)}"
        + $" | nsp_acc {ProgressText.Accuracy(p.NspAccuracy)} | lr {ProgressText.LearningRate(p.LearningRate)}"
        + $" | {ProgressText.TokensPerSecond(p.TokensPerSecond)} tok/s | elapsed {ProgressText.Duration(elapsed)}"
        + $" | ETA {ProgressText.Duration(eta)}";

    private static IRenderable LiveView(TrainingProgress p, TimeSpan? eta, TimeSpan elapsed)
    {
        int filled = (int)Math.Round(Percent(p) / 100 * BarWidth);
        var bar = new Markup(
            $"[green]{new string('━', filled)}[/][grey]{new string('━', BarWidth - filled)}[/] "
            + $"{Percent(p).ToString("0.0", CultureInfo.InvariantCulture)}%  step {ProgressText.Step(p.Step, p.TotalSteps)}");

        var table = new Table().Border(TableBorder.Rounded);
        string[] headers = ["Epoch", "Loss", "MLM acc", "NSP acc", "LR", "Tokens/s", "Elapsed", "ETA"];
        foreach (string header in headers)
        {
            table.AddColumn(new TableColumn(header).RightAligned());
        }
        table.AddRow(
            ProgressText.Epoch(p.Epoch), ProgressText.Loss(p.Loss), ProgressText.Accuracy(p.MlmAccuracy),
            ProgressText.Accuracy(p.NspAccuracy), ProgressText.LearningRate(p.LearningRate),
            ProgressText.TokensPerSecond(p.TokensPerSecond), ProgressText.Duration(elapsed), ProgressText.Duration(eta));
        return new Rows(bar, table);
    }

    private static double Percent(TrainingProgress p) =>
        p.TotalSteps <= 0 ? 0 : 100.0 * Math.Clamp((double)p.Step / p.TotalSteps, 0, 1);

    /// <summary>
    /// A Spectre live display kept open between updates: its callback parks on a task that <see cref="Stop"/>
    /// completes, and the updates are drawn from the caller's thread through the captured context.
    /// </summary>
    private sealed class LiveSession
    {
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _display;
        private LiveDisplayContext? _context;

        public LiveSession(IAnsiConsole console)
        {
            _display = console.Live(new Text(string.Empty)).AutoClear(false).StartAsync(context =>
            {
                _context = context;
                return _finished.Task;
            });
        }

        public void Show(IRenderable view)
        {
            if (_context is null)
            {
                return; // the display has not started yet; the next update draws
            }
            _context.UpdateTarget(view);
            _context.Refresh();
        }

        public void Stop()
        {
            _finished.TrySetResult();
            _display.GetAwaiter().GetResult();
        }
    }
}

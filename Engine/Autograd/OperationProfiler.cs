using System.Diagnostics;

namespace MiniBioBert.Engine.Autograd;

/// <summary>
/// Optional timing of every recorded operation, by name, for the profile in docs/benchmarks.md.
/// Forward time of an operation = time since the previous operation was recorded (ops run one after another,
/// each using all cores); backward time = duration of its backward closure, which <see cref="Gradients.Record"/> wraps
/// in a timer while profiling (so <see cref="Backward.Run"/> holds only the algorithm). Off unless <see cref="Enabled"/>.
/// </summary>
public static class OperationProfiler
{
    private static readonly Dictionary<string, (double ForwardMs, double BackwardMs, int Calls)> Totals = [];
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static double _lastMark;

    /// <summary>Whether operations are timed.</summary>
    public static bool Enabled { get; set; }

    /// <summary>Restarts the forward clock without forgetting totals.</summary>
    public static void Restart() => _lastMark = Clock.Elapsed.TotalMilliseconds;

    internal static void RecordForward(string operation)
    {
        double now = Clock.Elapsed.TotalMilliseconds;
        Add(operation, now - _lastMark, 0, calls: 1);
        _lastMark = now;
    }

    /// <summary>The backward closure <paramref name="backward"/>, wrapped so that its duration is added to the operation's total.</summary>
    internal static Action<Tensor> TimedBackward(string operation, Action<Tensor> backward) => outputGrad =>
    {
        long started = Stopwatch.GetTimestamp();
        backward(outputGrad);
        Add(operation, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, calls: 0);
    };

    /// <summary>(operation, forward ms, backward ms, calls), slowest first.</summary>
    public static IReadOnlyList<(string Operation, double ForwardMs, double BackwardMs, int Calls)> Report() =>
        Totals.Select(entry => (entry.Key, entry.Value.ForwardMs, entry.Value.BackwardMs, entry.Value.Calls))
            .OrderByDescending(row => row.ForwardMs + row.BackwardMs)
            .ToList();

    private static void Add(string operation, double forwardMs, double backwardMs, int calls)
    {
        Totals.TryGetValue(operation, out var total);
        Totals[operation] = (total.ForwardMs + forwardMs, total.BackwardMs + backwardMs, total.Calls + calls);
    }
}

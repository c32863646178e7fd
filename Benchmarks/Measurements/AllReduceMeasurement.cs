using System.Diagnostics;
using System.Text.Json;
using MiniBioBert.Model;
using MiniBioBert.Training.Distributed;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `allreduce`, run under mpirun: times the gradient all-reduce of data-parallel training alone — one in-place
/// <c>MPI_Allreduce</c> sum of the default model's 11.27 M floats (45 MB) — after a barrier, so that no rank waits for
/// a slower one inside it (in training it also waits). <c>--repeats</c> (20, after 3 not counted). Rank 0 prints one
/// JSON line: {"ranks", "megabytes", "ms_per_allreduce" (median), "ms_min", "bus_gb_per_s" (2(N − 1)/N · bytes / time)}.
/// </summary>
internal static class AllReduceMeasurement
{
    public static int Run(string[] args)
    {
        int repeats = MeasurementArguments.Int(args, "--repeats", 20);
        var group = ProcessGroup.Join();
        var gradients = new float[new BertForPreTraining(new BertConfig()).Parameters.Count];
        gradients.AsSpan().Fill(1f);

        var times = new List<double>();
        for (int repeat = 0; repeat < 3 + repeats; repeat++)
        {
            group.Barrier();
            long start = Stopwatch.GetTimestamp();
            group.SumInPlace(gradients);
            if (repeat >= 3)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        times.Sort();
        double median = times[times.Count / 2], bytes = 4.0 * gradients.Length;
        if (group.IsWriter)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["ranks"] = group.Size,
                ["megabytes"] = Math.Round(bytes / 1e6, 1),
                ["ms_per_allreduce"] = Math.Round(median, 1),
                ["ms_min"] = Math.Round(times[0], 1),
                ["bus_gb_per_s"] = Math.Round(2.0 * (group.Size - 1) / group.Size * bytes / (median / 1000) / 1e9, 2),
            }));
        }
        group.Finish();
        return 0;
    }
}

using MiniBioBert.Engine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `train-step`: times full pretraining steps (forward, backward, gradient clipping, AdamW) of the default model on
/// a random token batch with 15% MLM positions and dropout on, after warm-up steps that are not counted (8 by
/// default: .NET's tiered JIT recompiles the hot kernels with profile data during the first few steps, and a training
/// run spends all but its first seconds in that final code), and prints
/// one JSON line: {"engine", "ms_per_step", "tokens_per_s", "peak_rss_mb", ...}. <c>--device cuda|opencl|ilgpu-cpu</c>
/// runs the step on a GPU (clipping and AdamW included, <see cref="DeviceAdamW"/>); a missing accelerator is an
/// <c>error:</c> line listing the ones found.
/// </summary>
internal static class TrainStepMeasurement
{
    public static int Run(string[] args)
    {
        var (steps, warmup, batchSize, sequenceLength, device) = MeasurementArguments.Common(args, steps: 5, warmup: 8);
        using var _ = device;
        bool profile = args.Contains("--profile");

        var config = new BertConfig();
        var model = new BertForPreTraining(config, seed: 1);
        var segments = WeightDecayRule.Segments(model.Parameters.Parameters.Select(p => (p.Name, p.Offset, p.Value.Size)));
        model.MoveTo(device);
        var optimizer = new ModelOptimizer([model.Parameters], [new AdamW(segments)]);
        var inputs = RandomBatch(config, batchSize, sequenceLength, seed: 2);

        var timer = new Stopwatch();
        double lastLoss = 0, stepMs = 0;
        long poolAllocationsAtStart = 0, managedBytesAtStart = 0;
        GpuCounts gpuCountsAtStart = default;
        for (int step = 0; step < warmup + steps; step++)
        {
            if (step == warmup)
            {
                timer.Start();
                poolAllocationsAtStart = PoolAllocations(device);
                gpuCountsAtStart = device.Gpu?.Counters.Read() ?? default;
                managedBytesAtStart = GC.GetTotalAllocatedBytes(precise: true);
            }
            OperationProfiler.Enabled = profile && step >= warmup;
            long stepStart = Stopwatch.GetTimestamp();
            OperationProfiler.Restart();
            ulong dropoutSeed = (ulong)step;
            // The training step itself; it ends with its one download, so on a GPU the clock stops after the update.
            lastLoss = TrainingStep.Run(optimizer, microBatches: 1, (_, context) => model.Forward(inputs, context).Loss, _ => dropoutSeed,
                learningRate: 1e-4, maxGradNorm: 1.0).Loss;
            if (step >= warmup)
            {
                stepMs += Stopwatch.GetElapsedTime(stepStart).TotalMilliseconds;
            }
        }
        timer.Stop();
        long poolAllocations = PoolAllocations(device) - poolAllocationsAtStart;
        var gpuCounts = (device.Gpu?.Counters.Read() ?? default) - gpuCountsAtStart;
        double managedMegabytes = (GC.GetTotalAllocatedBytes(precise: true) - managedBytesAtStart) / (1024.0 * 1024.0);

        double msPerStep = timer.Elapsed.TotalMilliseconds / steps;
        var result = new Dictionary<string, object>
        {
            ["engine"] = $"minibiobert-{device.Name}",
            ["ms_per_step"] = Math.Round(msPerStep, 1),
            ["tokens_per_s"] = Math.Round(batchSize * sequenceLength / (msPerStep / 1000), 0),
            ["peak_rss_mb"] = Math.Round(MeasurementArguments.PeakResidentMegabytes(), 0),
            ["batch"] = batchSize,
            ["seq"] = sequenceLength,
            ["masked_positions"] = inputs.MaskedPositions.Length,
            ["threads"] = CpuParallel.ThreadCount,
            ["gemm_kernel"] = GemmMicroKernel.Best.ToString(),
            ["steps"] = steps,
            ["pool_allocations_per_step"] = poolAllocations / steps,
            ["gpu_launches_per_step"] = gpuCounts.Launches / steps,
            ["gpu_synchronizations_per_step"] = gpuCounts.Synchronizations / steps,
            ["gpu_allocations_per_step"] = gpuCounts.Allocations / steps,
            ["managed_alloc_mb_per_step"] = Math.Round(managedMegabytes / steps, 2),
            ["loss"] = Math.Round(lastLoss, 4),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        if (profile)
        {
            PrintProfile(steps, stepMs);
        }
        return 0;
    }

    /// <summary>Buffers allocated so far by the pool the step's tensors come from (the CPU's or the device's).</summary>
    private static long PoolAllocations(Engine.Device device) => device.Buffers?.Allocations ?? BufferPool.Shared.Allocations;

    /// <summary>A Markdown table of milliseconds per step by operation (forward and backward), and the rest of the step (zeroing, clipping, AdamW).</summary>
    private static void PrintProfile(int steps, double stepMs)
    {
        double profiledMs = 0;
        Console.WriteLine();
        Console.WriteLine("| operation | calls/step | forward ms | backward ms | share of step |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (operation, forwardMs, backwardMs, calls) in OperationProfiler.Report())
        {
            profiledMs += forwardMs + backwardMs;
            Console.WriteLine(FormattableString.Invariant(
                $"| {operation} | {calls / steps} | {forwardMs / steps:F1} | {backwardMs / steps:F1} | {100 * (forwardMs + backwardMs) / stepMs:F1}% |"));
        }
        double restMs = stepMs - profiledMs;
        Console.WriteLine(FormattableString.Invariant(
            $"| the rest: zero, clip + AdamW | 1 | {restMs / steps:F1} | | {100 * restMs / stepMs:F1}% |"));
        Console.WriteLine(FormattableString.Invariant($"| whole step | | | | {stepMs / steps:F1} ms |"));
    }

    /// <summary>Random ids, two segments, no padding, 15% of positions predicted, NSP labels alternating.</summary>
    internal static PretrainingInputs RandomBatch(BertConfig config, int batchSize, int sequenceLength, int seed)
    {
        var random = new Random(seed);
        int count = batchSize * sequenceLength;
        var inputIds = new int[count];
        var tokenTypes = new int[count];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            inputIds[i] = random.Next(1000, config.VocabSize);
            tokenTypes[i] = i % sequenceLength < sequenceLength / 2 ? 0 : 1;
            labels[i] = random.NextDouble() < 0.15 ? random.Next(1000, config.VocabSize) : Ops.IgnoreIndex;
        }
        var nspLabels = Enumerable.Range(0, batchSize).Select(b => b % 2).ToArray();
        return new PretrainingInputs(batchSize, sequenceLength, inputIds, tokenTypes, Enumerable.Repeat(1, count).ToArray(), labels, nspLabels);
    }
}

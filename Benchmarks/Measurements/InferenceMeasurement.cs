using System.Diagnostics;
using System.Text.Json;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `inference`: times the encoder's forward pass (embeddings + every layer, evaluation mode, no gradients) of the
/// default model on a random token batch, after warm-up batches that are not counted (10 by default, for the tiered
/// JIT's final code; see <see cref="TrainStepMeasurement"/>), and prints one JSON line:
/// {"engine", "ms_per_batch", "sequences_per_s", "tokens_per_s", "peak_rss_mb", ...}. <c>--device cuda|opencl|ilgpu-cpu</c>
/// runs it on a GPU (each batch waits for the device before the next starts); a missing accelerator is an
/// <c>error:</c> line listing the ones found.
/// </summary>
internal static class InferenceMeasurement
{
    public static int Run(string[] args)
    {
        var (batches, warmup, batchSize, sequenceLength, device) = MeasurementArguments.Common(args, steps: 10, warmup: 10);
        using var _ = device;

        var config = new BertConfig();
        var model = new BertForPreTraining(config, seed: 1);
        model.MoveTo(device);
        var inputs = TrainStepMeasurement.RandomBatch(config, batchSize, sequenceLength, seed: 2);
        var evaluation = new ForwardContext { Training = false };

        var timer = new Stopwatch();
        float[] firstSequence = [];
        using (GradMode.NoGrad())
        {
            for (int batch = 0; batch < warmup + batches; batch++)
            {
                if (batch == warmup)
                {
                    timer.Start();
                }
                using (new TensorScope())
                {
                    // sequenceOutput: [B, T, H]
                    var sequenceOutput = model.Encode(inputs.InputIds, inputs.TokenTypeIds, inputs.AttentionMask, batchSize, sequenceLength, evaluation);
                    device.Gpu?.Synchronize(); // kernels are queued: wait for them before the next batch (and the clock)
                    if (batch == warmup + batches - 1)
                    {
                        firstSequence = sequenceOutput.ToArray();
                    }
                }
            }
        }
        timer.Stop();

        double msPerBatch = timer.Elapsed.TotalMilliseconds / batches;
        var result = new Dictionary<string, object>
        {
            ["engine"] = $"minibiobert-{device.Name}-inference",
            ["ms_per_batch"] = Math.Round(msPerBatch, 1),
            ["sequences_per_s"] = Math.Round(batchSize / (msPerBatch / 1000), 1),
            ["tokens_per_s"] = Math.Round(batchSize * sequenceLength / (msPerBatch / 1000), 0),
            ["peak_rss_mb"] = Math.Round(MeasurementArguments.PeakResidentMegabytes(), 0),
            ["batch"] = batchSize,
            ["seq"] = sequenceLength,
            ["threads"] = CpuParallel.ThreadCount,
            ["gemm_kernel"] = GemmMicroKernel.Best.ToString(),
            ["batches"] = batches,
            ["first_output"] = Math.Round(firstSequence[0], 6),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }
}

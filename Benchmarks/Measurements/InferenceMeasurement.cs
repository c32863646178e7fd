using System.Diagnostics;
using System.Text.Json;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `inference`: times the encoder's forward pass (embeddings + every layer, evaluation mode, no gradients) of the
/// default model on a random token batch, after warm-up batches that are not counted (10 by default, for the tiered
/// JIT's final code; see <see cref="TrainStepMeasurement"/>), and prints one JSON line:
/// {"engine", "ms_per_batch", "sequences_per_s", "tokens_per_s", "peak_rss_mb", ...}.
/// </summary>
internal static class InferenceMeasurement
{
    public static int Run(string[] args)
    {
        int batches = MeasurementArguments.Int(args, "--steps", 10);
        int warmup = MeasurementArguments.Int(args, "--warmup", 10);
        int batchSize = MeasurementArguments.Int(args, "--batch", 32);
        int sequenceLength = MeasurementArguments.Int(args, "--seq", 128);
        CpuParallel.ThreadCount = MeasurementArguments.Int(args, "--threads", Environment.ProcessorCount);

        var config = new BertConfig();
        var model = new BertForPreTraining(config, seed: 1);
        var inputs = TrainStepMeasurement.RandomBatch(config, batchSize, sequenceLength, seed: 2);
        var evaluation = new ForwardContext { Training = false };

        var timer = new Stopwatch();
        double checksum = 0;
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
                    checksum = sequenceOutput.Span[0];
                }
            }
        }
        timer.Stop();

        double msPerBatch = timer.Elapsed.TotalMilliseconds / batches;
        var result = new Dictionary<string, object>
        {
            ["engine"] = "minibiobert-cpu-inference",
            ["ms_per_batch"] = Math.Round(msPerBatch, 1),
            ["sequences_per_s"] = Math.Round(batchSize / (msPerBatch / 1000), 1),
            ["tokens_per_s"] = Math.Round(batchSize * sequenceLength / (msPerBatch / 1000), 0),
            ["peak_rss_mb"] = Math.Round(MeasurementArguments.PeakResidentMegabytes(), 0),
            ["batch"] = batchSize,
            ["seq"] = sequenceLength,
            ["threads"] = CpuParallel.ThreadCount,
            ["batches"] = batches,
            ["first_output"] = Math.Round(checksum, 6),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }
}

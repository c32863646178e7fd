using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Training.Export;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `onnx-inference`: the inference anchor. The default model (random weights) is exported to ONNX in memory
/// (<see cref="PretrainingOnnxExporter"/>) and the same batch runs through the engine and through ONNX Runtime (CPU),
/// alternated batch by batch, with the same thread count, computing the same outputs (MLM logits at every position and
/// the NSP logits). Prints one JSON line with both times per batch and their ratio, and the largest difference
/// between the two MLM outputs as a check that they computed the same thing.
/// </summary>
internal static class OnnxInferenceMeasurement
{
    public static int Run(string[] args)
    {
        var (batches, warmup, batchSize, sequenceLength, device) = MeasurementArguments.Common(args, steps: 5, warmup: 3);
        using var _ = device;
        if (!device.IsHost)
        {
            throw new ArgumentException("onnx-inference compares the CPU engine with ONNX Runtime's CPU provider: use --device cpu.");
        }
        var config = new BertConfig();
        var model = new BertForPreTraining(config, seed: 1);
        using var session = new OnnxBertSession(PretrainingOnnxExporter.Build(model).ToByteArray(), CpuParallel.ThreadCount);
        var inputs = TrainStepMeasurement.RandomBatch(config, batchSize, sequenceLength, seed: 2);

        double engineMs = 0, onnxMs = 0, largestDifference = 0;
        for (int batch = 0; batch < warmup + batches; batch++)
        {
            long started = Stopwatch.GetTimestamp();
            float[] engineLogits = EngineForward(model, inputs);
            double engine = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            started = Stopwatch.GetTimestamp();
            var outputs = session.Run(inputs.InputIds, inputs.TokenTypeIds, inputs.AttentionMask, batchSize, sequenceLength);
            double onnx = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            if (batch >= warmup)
            {
                (engineMs, onnxMs) = (engineMs + engine, onnxMs + onnx);
            }
            largestDifference = Math.Max(largestDifference, LargestDifference(engineLogits, outputs[PretrainingOnnxExporter.PredictionLogits]));
        }

        var result = new Dictionary<string, object>
        {
            ["engine_ms_per_batch"] = Math.Round(engineMs / batches, 1),
            ["onnxruntime_ms_per_batch"] = Math.Round(onnxMs / batches, 1),
            ["engine_speed_over_onnxruntime"] = Math.Round(onnxMs / engineMs, 2),
            ["batch"] = batchSize,
            ["seq"] = sequenceLength,
            ["threads"] = CpuParallel.ThreadCount,
            ["gemm_kernel"] = GemmMicroKernel.Best.ToString(),
            ["batches"] = batches,
            ["largest_mlm_logit_difference"] = largestDifference,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>What the exported graph computes: the encoder, MLM logits at every position, NSP logits; the MLM logits returned.</summary>
    private static float[] EngineForward(BertForPreTraining model, PretrainingInputs inputs)
    {
        using var scope = new TensorScope();
        using var noGrad = GradMode.NoGrad();
        var sequence = model.Encode(inputs.InputIds, inputs.TokenTypeIds, inputs.AttentionMask, inputs.BatchSize, inputs.SequenceLength,
            ForwardContext.Evaluation);
        var mlmLogits = model.MlmHead.Forward(sequence, positions: null);
        model.NspHead.Forward(model.Pooler.Forward(sequence));
        return mlmLogits.ToArray();
    }

    private static double LargestDifference(float[] a, float[] b)
    {
        double largest = 0;
        for (int i = 0; i < a.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(a[i] - b[i]));
        }
        return largest;
    }
}

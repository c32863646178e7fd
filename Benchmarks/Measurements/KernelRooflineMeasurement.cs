using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Model;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `kernels`: the roofline of a CPU training step. Every kernel the default model's step runs, on the step's own
/// shapes (batch 32 × 128 by default, <c>--batch</c>, <c>--seq</c>, <c>--threads</c>), timed alone: the median of
/// <c>--repeats</c> calls (15 by default; one call of each kernel per pass) after a warm-up of at least 2 s. With it,
/// its FLOPs, the bytes it must move at least (every input read once, every output written once, in float32), its
/// rate and its share of this machine's FMA peak, measured in the same process (<see cref="GemmFmaPeakBenchmarks"/>'s
/// chains at the GEMM's vector width). Each row's "ms per step" is its time × its calls per step; their sum against
/// the whole step (<c>train-step</c>) shows what the kernels alone do not explain. Prints a Markdown table.
/// </summary>
internal static class KernelRooflineMeasurement
{
    /// <summary>One kernel of the step: how often a step calls it, its FLOPs and minimal bytes per call, and the call.</summary>
    private sealed record Kernel(string Name, int CallsPerStep, double Flops, double Bytes, Action Call);

    public static int Run(string[] args)
    {
        int batch = MeasurementArguments.Int(args, "--batch", 32), length = MeasurementArguments.Int(args, "--seq", 128);
        int repeats = MeasurementArguments.Int(args, "--repeats", 15);
        CpuParallel.ThreadCount = MeasurementArguments.Int(args, "--threads", Environment.ProcessorCount);
        var kernels = StepKernels(new BertConfig(), batch, length);

        double peak = FmaPeakGflops(CpuParallel.ThreadCount, GemmMicroKernel.Best == GemmKernelKind.Avx512 ? 16 : 8);
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture,
            $"kernels: batch {batch} × {length}, {CpuParallel.ThreadCount} threads, GEMM kernel {GemmMicroKernel.Best}, FMA peak {peak:F1} GFLOP/s (measured)"));
        Console.WriteLine();
        // Warm-up: .NET's tiered JIT recompiles the hot kernels with profile data during the first calls and seconds.
        var warmUp = Stopwatch.StartNew();
        for (int pass = 0; pass < 3 || warmUp.Elapsed < TimeSpan.FromSeconds(2); pass++)
        {
            kernels.ForEach(kernel => kernel.Call());
        }
        Console.WriteLine("| kernel | calls/step | GFLOP/call | MB/call | ms/call | GFLOP/s | GB/s | % of peak | ms/step |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        // One call of every kernel per pass, the passes repeated: a burst from a neighbour on a shared machine then
        // lands on different kernels in different passes, and each kernel's median leaves it out.
        var times = new double[kernels.Count][];
        for (int k = 0; k < kernels.Count; k++)
        {
            times[k] = new double[repeats];
        }
        for (int pass = 0; pass < repeats; pass++)
        {
            for (int k = 0; k < kernels.Count; k++)
            {
                long start = Stopwatch.GetTimestamp();
                kernels[k].Call();
                times[k][pass] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        double totalMs = 0, totalFlops = 0;
        for (int k = 0; k < kernels.Count; k++)
        {
            var kernel = kernels[k];
            Array.Sort(times[k]);
            double ms = times[k][repeats / 2];
            double gflops = kernel.Flops / ms / 1e6;
            totalMs += ms * kernel.CallsPerStep;
            totalFlops += kernel.Flops * kernel.CallsPerStep;
            Console.WriteLine(string.Create(culture,
                $"| {kernel.Name} | {kernel.CallsPerStep} | {kernel.Flops / 1e9:F3} | {kernel.Bytes / 1e6:F1} | {ms:F2} | {gflops:F1} | {kernel.Bytes / ms / 1e6:F1} | {100 * gflops / peak:F1} | {ms * kernel.CallsPerStep:F1} |"));
        }
        Console.WriteLine(string.Create(culture,
            $"| all of the above | | {totalFlops / 1e9:F1} per step | | | {totalFlops / totalMs / 1e6:F1} | | {100 * totalFlops / totalMs / 1e6 / peak:F1} | {totalMs:F1} |"));
        return 0;
    }

    /// <summary>
    /// The kernels of one pretraining step of a model like <paramref name="config"/> (its hidden, FFN and head sizes,
    /// vocabulary and layer count) on <paramref name="batch"/> × <paramref name="length"/> tokens, 15 % of them masked,
    /// dropout on. The embeddings, pooler and NSP head are left out: under 1 % of the step.
    /// </summary>
    private static List<Kernel> StepKernels(BertConfig config, int batch, int length)
    {
        int rows = batch * length, hidden = config.HiddenSize, inner = config.IntermediateSize, vocab = config.VocabSize;
        int heads = config.NumAttentionHeads, headSize = config.HeadSize, layers = config.NumHiddenLayers;
        int masked = Math.Max(1, rows * 15 / 100);
        var random = new Random(3);
        Tensor Random(params int[] shape)
        {
            var values = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = 2 * random.NextSingle() - 1;
            }
            return Tensor.FromArray(values, shape);
        }
        const double F = sizeof(float);

        // Activations and weights at the step's shapes.
        var x = Random(rows, hidden);
        var xGrad = Random(rows, hidden);
        var weight = Random(hidden, hidden);
        var weightGrad = Random(hidden, hidden);
        var bias = Random(hidden);
        var biasGrad = Random(hidden);
        var normWeightGrad = Random(hidden);
        var normBiasGrad = Random(hidden);
        var up = Random(inner, hidden);
        var down = Random(hidden, inner);
        var downGrad = Random(hidden, inner);
        var upGrad = Random(inner, hidden);
        var upBias = Random(inner);
        var upBiasGrad = Random(inner);
        var pre = Random(rows, inner);
        var preGrad = Random(rows, inner);
        var activation = Random(rows, inner);
        var y = Random(rows, hidden);
        var scores = Random(batch, heads, length, length);
        var probs = Random(batch, heads, length, length);
        var probsGrad = Random(batch, heads, length, length);
        var dropMask = Random(batch, heads, length, length);
        var additiveMask = Tensor.Zeros(batch, length);
        var rowMask = Random(rows, hidden);
        var mean = Random(rows);
        var rstd = Random(rows);
        var maskedRows = Random(masked, hidden);
        var maskedRowsGrad = Random(masked, hidden);
        var decoder = Random(vocab, hidden);
        var decoderGrad = Random(vocab, hidden);
        var decoderBias = Random(vocab);
        var decoderBiasGrad = Random(vocab);
        var logits = Random(masked, vocab);
        var logitsGrad = Random(masked, vocab);
        var logSumExp = Random(masked);
        var loss = Tensor.Zeros(1);
        var lossGrad = Tensor.FromArray([1f], 1);
        int[] targets = [.. Enumerable.Range(0, masked).Select(i => i * 7 % vocab)];
        int parameterCount = new BertForPreTraining(config, seed: 1).Parameters.AllValues.Size;
        var parameters = Random(parameterCount);
        var gradients = Random(parameterCount);
        var firstMoment = Random(parameterCount);
        var secondMoment = Tensor.Zeros(parameterCount);
        var decayMask = Tensor.Zeros(parameterCount);
        var adamW = new AdamWScalars(new AdamWHyperparameters(1e-4, 0.9, 0.999, 1e-8, 0.01), step: 1);
        var adamWControl = StepControl.Unconditional(Device.Cpu);

        StridedMatrices Heads(Tensor activations) => new(activations, hidden, headSize, (long)length * hidden);
        StridedMatrices Square(Tensor t) => new(t, length, (long)length * length, (long)heads * length * length);
        double perHeadFlops = 2.0 * batch * heads * length * length * headSize;
        double linear(int r, int i, int o) => 2.0 * r * i * o;

        return
        [
            new("Q/K/V projection, forward (GEMM + bias)", 3 * layers, linear(rows, hidden, hidden),
                F * (2 * rows * hidden + hidden * hidden + hidden), () => TensorKernels.LinearForward(x, weight, bias, y)),
            new("attention output dense, forward (GEMM)", layers, linear(rows, hidden, hidden),
                F * (2 * rows * hidden + hidden * hidden), () => TensorKernels.LinearForward(x, weight, null, y)),
            new("FFN up dense, forward (GEMM)", layers, linear(rows, hidden, inner),
                F * (rows * hidden + rows * inner + inner * hidden), () => TensorKernels.LinearForward(x, up, null, pre)),
            new("FFN down dense, forward (GEMM)", layers, linear(rows, inner, hidden),
                F * (rows * hidden + rows * inner + inner * hidden), () => TensorKernels.LinearForward(activation, down, null, y)),
            new("scores Q·Kᵀ per head", layers, perHeadFlops, F * (2 * rows * hidden + (double)batch * heads * length * length),
                () => TensorKernels.MultiplyPerHead(false, true, length, length, headSize, Heads(x), Heads(y), Square(scores), batch, heads, alpha: 0.125f)),
            new("softmax with padding mask", layers, 5.0 * scores.Size, F * 2 * scores.Size,
                () => TensorKernels.SoftmaxForward(scores, additiveMask, heads * length, probs, length)),
            new("dropout on the probabilities", layers, scores.Size, F * 3 * scores.Size,
                () => TensorKernels.DropoutForward(probs, 0.1f, 7, dropMask, scores)),
            new("context P·V per head", layers, perHeadFlops, F * (2 * rows * hidden + (double)batch * heads * length * length),
                () => TensorKernels.MultiplyPerHead(false, false, length, headSize, length, Square(probs), Heads(x), Heads(y), batch, heads)),
            new("bias + dropout + residual + LayerNorm, forward", 2 * layers, 12.0 * rows * hidden, F * (5 * rows * hidden),
                () => TensorKernels.ResidualLayerNormForward(y, bias, x, 0.1f, 9, bias, bias, 1e-12f, rowMask, y, xGrad, mean, rstd)),
            new("bias + GELU, forward", layers, 30.0 * rows * inner, F * 3 * rows * inner,
                () => TensorKernels.BiasGeluForward(pre, upBias, activation)),
            new("MLM transform dense, forward (GEMM + bias)", 1, linear(masked, hidden, hidden),
                F * (2 * masked * hidden + hidden * hidden), () => TensorKernels.LinearForward(maskedRows, weight, bias, maskedRowsGrad)),
            new("MLM decoder, forward (GEMM + bias)", 1, linear(masked, hidden, vocab),
                F * (masked * hidden + vocab * hidden + (double)masked * vocab), () => TensorKernels.LinearForward(maskedRows, decoder, decoderBias, logits)),
            new("cross-entropy over the vocabulary, forward", 1, 3.0 * masked * vocab, F * masked * vocab,
                () => TensorKernels.CrossEntropyLoss(logits, targets, logSumExp, loss, vocab)),
            new("cross-entropy over the vocabulary, backward", 1, 3.0 * masked * vocab, F * 2 * masked * vocab,
                () => TensorKernels.CrossEntropyBackward(logits, targets, logSumExp, lossGrad, masked, logitsGrad, vocab, accumulate: false)),
            new("MLM decoder, backward (dX, dW, db)", 1, 2 * linear(masked, hidden, vocab),
                F * (2 * masked * hidden + 2.0 * vocab * hidden + (double)masked * vocab),
                () => TensorKernels.LinearBackward(logitsGrad, maskedRows, decoder, maskedRowsGrad, decoderGrad, decoderBiasGrad)),
            new("bias + GELU, backward (with Σ bias)", layers, 40.0 * rows * inner, F * 3 * rows * inner,
                () => TensorKernels.BiasGeluBackward(pre, activation, activation, preGrad, upBiasGrad)),
            new("FFN down dense, backward (dX, dW)", layers, 2 * linear(rows, inner, hidden),
                F * (2 * rows * hidden + 2 * rows * inner + 2 * inner * hidden),
                () => TensorKernels.LinearBackward(x, activation, down, preGrad, downGrad, null)),
            new("FFN up dense, backward (dX, dW)", layers, 2 * linear(rows, hidden, inner),
                F * (2 * rows * hidden + rows * inner + 2 * inner * hidden),
                () => TensorKernels.LinearBackward(preGrad, x, up, xGrad, upGrad, null)),
            new("LayerNorm + residual + dropout + Σ biases, backward", 2 * layers, 15.0 * rows * hidden, F * 5 * rows * hidden,
                () => TensorKernels.ResidualLayerNormBackward(y, bias, mean, rstd, rowMask, x, xGrad, y, normWeightGrad, normBiasGrad, biasGrad)),
            new("Q/K/V and output dense, backward (dX, dW, db)", 4 * layers, 2 * linear(rows, hidden, hidden),
                F * (3 * rows * hidden + 2 * hidden * hidden),
                () => TensorKernels.LinearBackward(y, x, weight, xGrad, weightGrad, biasGrad)),
            new("per-head products, backward (4 per layer)", 4 * layers, perHeadFlops,
                F * (2 * rows * hidden + (double)batch * heads * length * length),
                () => TensorKernels.MultiplyPerHead(false, true, length, length, headSize, Heads(x), Heads(y), Square(probsGrad), batch, heads)),
            new("softmax + dropout, backward", layers, 5.0 * scores.Size, F * 4 * scores.Size,
                () => TensorKernels.SoftmaxDropoutBackward(probs, probsGrad, dropMask, scores, length)),
            new("AdamW over every parameter", 1, 15.0 * parameterCount, F * 8 * parameterCount,
                () => TensorKernels.AdamWUpdate(parameters, gradients, firstMoment, secondMoment, decayMask, adamW, adamWControl)),
        ];
    }

    /// <summary>GFLOP/s of <see cref="GemmFmaPeakBenchmarks"/>'s FMA chains on <paramref name="threads"/> threads, <paramref name="vectorFloats"/> floats wide (best of 3).</summary>
    private static double FmaPeakGflops(int threads, int vectorFloats)
    {
        if (!Fma.IsSupported)
        {
            return double.NaN;
        }
        var benchmark = new GemmFmaPeakBenchmarks { Load = new FmaLoad(threads, 20_000_000, vectorFloats) };
        double best = 0;
        for (int i = 0; i < 3; i++)
        {
            long start = Stopwatch.GetTimestamp();
            benchmark.FmaPeak();
            best = Math.Max(best, benchmark.Load.Flops / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return best;
    }
}

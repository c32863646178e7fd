using System.Globalization;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `device-check --device NAME` (or `--list`: the accelerators ILGPU finds): a self-check that needs no .NET SDK (a lent GPU machine has none, so the NUnit GPU
/// tests cannot run there). It runs every <see cref="TensorKernels"/> kernel, forward and backward, on the device and
/// on the CPU from the same seeded random inputs, downloads the device's outputs with <see cref="Tensor.ToArray"/> and
/// prints one line per kernel: name, worst normwise relative error max|device − cpu| / max|cpu|, the tolerance, OK or
/// FAIL. Then three training steps of a tiny BERT (<see cref="TrainingStep.Run"/>, <see cref="ModelOptimizer"/>) on
/// both devices, and their losses. Exit code 0 when everything is within tolerance, 1 otherwise (2, from
/// <see cref="Program"/>, for a usage error such as an absent device).
/// The tolerances are the tests' (Tests/Engine/Gpu/GpuTesting.cs and FloatBounds.cs): 1e-5 for a kernel, the
/// dot-product bound for a matrix product of length k, bit-equality for copies, masks and indices, and the float32
/// bound of <see cref="StepBounds"/> for the losses.
/// </summary>
internal static class DeviceCheck
{
    /// <summary>The normwise relative bound of a kernel without long sums (the tests' <c>GpuTesting.Tolerance</c>).</summary>
    public const double KernelTolerance = 1e-5;

    public static int Run(string[] args)
    {
        if (args.Contains("--list"))
        {
            // What ILGPU finds here (a GPU machine's first question: is the driver seen at all?).
            Console.WriteLine("accelerators: " + string.Join(", ", GpuDevice.Available()));
            return 0;
        }
        string name = MeasurementArguments.Text(args, "--device", "");
        if (name.Length == 0)
        {
            throw new ArgumentException($"device-check needs --device NAME ({string.Join(", ", DeviceOption.Supported)}).");
        }
        using var device = DeviceOption.Open(name);
        return Check(device, Cases, Console.Out);
    }

    /// <summary>Runs <paramref name="cases"/> and the training steps on <paramref name="device"/> against the CPU; 0 when all pass, else 1.</summary>
    internal static int Check(Device device, IReadOnlyList<KernelCase> cases, TextWriter output)
    {
        output.WriteLine($"device-check: {device.Name} against cpu, normwise relative error max|{device.Name} - cpu| / max|cpu|");
        int failures = 0;
        foreach (var kernel in cases)
        {
            var result = Compare(kernel, device);
            failures += result.Passed ? 0 : 1;
            output.WriteLine(result.Line);
        }
        failures += TrainingSteps(device, output);
        output.WriteLine(failures == 0 ? "device-check: all OK" : $"device-check: {failures} FAIL");
        return failures == 0 ? 0 : 1;
    }

    // ---- kernels ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// One kernel case: <see cref="Run"/> makes its inputs from <see cref="Inputs"/> (seeded: the same values on every
    /// device), calls the kernel and returns its outputs as host arrays. <see cref="Tolerance"/> gives each output's
    /// bound from the CPU's values of it (0: bit-equal).
    /// </summary>
    internal sealed record KernelCase(string Name, Func<Inputs, float[][]> Run)
    {
        public Func<float[], double> Tolerance { get; init; } = _ => KernelTolerance;
    }

    private sealed record Result(bool Passed, string Line);

    /// <summary>Runs the case on the CPU and on <paramref name="device"/> and compares each output.</summary>
    private static Result Compare(KernelCase kernel, Device device)
    {
        try
        {
            var expected = Outputs(kernel, Device.Cpu);
            var actual = Outputs(kernel, device);
            // The output with the largest error relative to its bound speaks for the case.
            double worstError = 0, worstTolerance = kernel.Tolerance(expected[0]), worstRatio = -1;
            for (int i = 0; i < expected.Length; i++)
            {
                double error = NormwiseError(actual[i], expected[i]);
                double tolerance = kernel.Tolerance(expected[i]);
                double ratio = tolerance == 0 ? (error == 0 ? 0 : double.PositiveInfinity) : error / tolerance;
                if (ratio > worstRatio || double.IsNaN(error))
                {
                    (worstError, worstTolerance, worstRatio) = (error, tolerance, double.IsNaN(error) ? double.NaN : ratio);
                }
            }
            bool passed = worstRatio <= 1;
            string bound = worstTolerance == 0 ? "bit-equal" : worstTolerance.ToString("0.0E+00", CultureInfo.InvariantCulture);
            return new Result(passed, string.Create(CultureInfo.InvariantCulture,
                $"{kernel.Name,-44} {worstError,9:0.00E+00}  tol {bound,-9}  {(passed ? "OK" : "FAIL")}"));
        }
        catch (Exception error)
        {
            return new Result(false, $"{kernel.Name,-44} FAIL  {error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>The case's outputs on <paramref name="device"/>; its tensors go back to the pool afterwards.</summary>
    private static float[][] Outputs(KernelCase kernel, Device device)
    {
        using var scope = new TensorScope();
        var outputs = kernel.Run(new Inputs(device, seed: 42));
        foreach (var output in outputs)
        {
            if (output.Length == 0)
            {
                throw new InvalidOperationException("an output is empty");
            }
        }
        return outputs;
    }

    /// <summary>max|actual − expected| / max|expected| (absolute when expected is all zeros); NaN anywhere gives NaN.</summary>
    internal static double NormwiseError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            return double.NaN;
        }
        double maxError = 0, maxExpected = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(error))
            {
                return double.NaN;
            }
            maxError = Math.Max(maxError, error);
            maxExpected = Math.Max(maxExpected, Math.Abs((double)expected[i]));
        }
        return maxExpected == 0 ? maxError : maxError / maxExpected;
    }

    /// <summary>
    /// Seeded random tensors on one device: the same seed and the same calls give the same values on every device
    /// (made on the host, then uploaded).
    /// </summary>
    internal sealed class Inputs(Device device, int seed)
    {
        private readonly Random _random = new(seed);

        /// <summary>Uniform in [low, high).</summary>
        public Tensor Uniform(float low, float high, params int[] shape) => Upload(Values(Tensor.ShapeSize(shape), () => low + (high - low) * _random.NextSingle()), shape);

        /// <summary>Uniform in [−1, 1).</summary>
        public Tensor Uniform(params int[] shape) => Uniform(-1f, 1f, shape);

        /// <summary>Rows of positive values that sum to 1 (softmax outputs).</summary>
        public Tensor Probabilities(params int[] shape)
        {
            var values = Values(Tensor.ShapeSize(shape), () => 0.05f + _random.NextSingle());
            int columns = shape[^1];
            for (int row = 0; row < values.Length; row += columns)
            {
                float sum = values.AsSpan(row, columns).ToArray().Sum();
                for (int c = 0; c < columns; c++)
                {
                    values[row + c] /= sum;
                }
            }
            return Upload(values, shape);
        }

        /// <summary>A dropout mask: 0 with probability <paramref name="p"/>, else 1/(1 − p).</summary>
        public Tensor DropoutMask(float p, params int[] shape) => Upload(Values(Tensor.ShapeSize(shape), () => _random.NextSingle() < p ? 0f : 1f / (1f - p)), shape);

        /// <summary>1 with probability <paramref name="p"/>, else 0 (AdamW's weight-decay mask).</summary>
        public Tensor Ones(float p, params int[] shape) => Upload(Values(Tensor.ShapeSize(shape), () => _random.NextSingle() < p ? 1f : 0f), shape);

        /// <summary>A constant tensor.</summary>
        public Tensor Filled(float value, params int[] shape) => Upload(Values(Tensor.ShapeSize(shape), () => value), shape);

        /// <summary>Indices in [0, <paramref name="limit"/>) (repeats likely).</summary>
        public int[] Indices(int count, int limit) => [.. Enumerable.Range(0, count).Select(_ => _random.Next(limit))];

        private static float[] Values(int count, Func<float> next)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = next();
            }
            return values;
        }

        private Tensor Upload(float[] values, int[] shape) => Tensor.FromArray(values, shape).To(device);
    }

    /// <summary>The host copies of <paramref name="tensors"/> (downloaded from a GPU).</summary>
    private static float[][] Read(params Tensor[] tensors) => [.. tensors.Select(t => t.ToArray())];

    /// <summary>Bit-equal: masks, copies, indices.</summary>
    private static double Exact(float[] expected) => 0;

    /// <summary>
    /// A product of length <paramref name="k"/> with inputs in [−1, 1]: the float sums of two orders differ by up to
    /// k·u·Σ|a||b| ≤ k²·u per element, normwise over max|C| (GpuGemmTests' bound), never below 1e-5.
    /// </summary>
    private static Func<float[], double> Gemm(int k) =>
        expected => Math.Max(KernelTolerance, k * (double)k * FloatBounds.U / expected.Max(Math.Abs));

    // Sizes: rows of 40 columns (not a multiple of a warp or group), a few rows, matrices that span several GPU tiles.
    private const int Rows = 6, Columns = 40, Vocab = 11, Classes = 13;

    /// <summary>Every kernel of <see cref="TensorKernels"/> that training or inference uses.</summary>
    internal static IReadOnlyList<KernelCase> Cases { get; } =
    [
        MatMul(false, false), MatMul(true, false), MatMul(false, true), MatMul(true, true),
        new("MatMul batched, alpha 0.5 beta 1", x =>
        {
            var (a, b, c) = (x.Uniform(3, 17, 20), x.Uniform(3, 20, 19), x.Uniform(3, 17, 19));
            TensorKernels.MatMul(false, false, 17, 19, 20, a, b, c, alpha: 0.5f, beta: 1f, batch: 3);
            return Read(c);
        }) { Tolerance = Gemm(20) },
        // Attention's two per-head products on [B=2, T=9, H=3·d=8] activations: Q·Kᵀ into [B, H, T, T], then P·V.
        new("MultiplyPerHead Q·Kᵀ", x =>
        {
            var (q, k, scores) = (x.Uniform(2, 9, 24), x.Uniform(2, 9, 24), x.Uniform(2, 3, 9, 9));
            TensorKernels.MultiplyPerHead(false, true, 9, 9, 8, new(q, 24, 8, 9 * 24), new(k, 24, 8, 9 * 24),
                new(scores, 9, 81, 3 * 81), batch: 2, heads: 3, alpha: 0.35f);
            return Read(scores);
        }) { Tolerance = Gemm(8) },
        new("MultiplyPerHead P·V", x =>
        {
            var (p, v, context) = (x.Probabilities(2, 3, 9, 9), x.Uniform(2, 9, 24), x.Uniform(2, 9, 24));
            TensorKernels.MultiplyPerHead(false, false, 9, 8, 9, new(p, 9, 81, 3 * 81), new(v, 24, 8, 9 * 24),
                new(context, 24, 8, 9 * 24), batch: 2, heads: 3);
            return Read(context);
        }) { Tolerance = Gemm(9) },
        new("LinearForward", x =>
        {
            var (input, weight, bias, y) = (x.Uniform(Rows, 24), x.Uniform(20, 24), x.Uniform(20), x.Uniform(Rows, 20));
            TensorKernels.LinearForward(input, weight, bias, y);
            return Read(y);
        }) { Tolerance = Gemm(24) },
        new("LinearBackward", x =>
        {
            var (dy, input, weight) = (x.Uniform(Rows, 20), x.Uniform(Rows, 24), x.Uniform(20, 24));
            var (dx, dw, db) = (x.Uniform(Rows, 24), x.Uniform(20, 24), x.Uniform(20));
            TensorKernels.LinearBackward(dy, input, weight, dx, dw, db);
            return Read(dx, dw, db);
        }) { Tolerance = Gemm(20) },
        new("SoftmaxForward (key mask)", x =>
        {
            // [B=2, H=3, 5 queries, 40 keys]; the mask's row b covers H·5 rows; batch item 1 pads its last 7 keys.
            var scores = x.Uniform(-4f, 4f, 2, 3, 5, Columns);
            var maskValues = new float[2 * Columns];
            maskValues.AsSpan(2 * Columns - 7).Fill(-10000f);
            var mask = Tensor.FromArray(maskValues, 2, Columns).To(scores.Device);
            var y = x.Uniform(2, 3, 5, Columns);
            TensorKernels.SoftmaxForward(scores, mask, 15, y, Columns);
            return Read(y);
        }),
        new("SoftmaxBackward", x =>
        {
            var (y, dy, dx) = (x.Probabilities(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.SoftmaxBackward(y, dy, dx, Columns);
            return Read(dx);
        }),
        new("SoftmaxDropoutBackward", x =>
        {
            var (y, dz, mask, dx) = (x.Probabilities(Rows, Columns), x.Uniform(Rows, Columns), x.DropoutMask(0.1f, Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.SoftmaxDropoutBackward(y, dz, mask, dx, Columns);
            return Read(dz, dx);
        }),
        new("SoftmaxDropoutBackward (no dropout)", x =>
        {
            var (y, dz, dx) = (x.Probabilities(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.SoftmaxDropoutBackward(y, dz, null, dx, Columns);
            return Read(dx);
        }),
        new("LogSoftmaxForward", x =>
        {
            var (input, y) = (x.Uniform(-4f, 4f, Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.LogSoftmaxForward(input, y, Columns);
            return Read(y);
        }),
        new("LogSoftmaxBackward", x =>
        {
            var (y, dy, dx) = (x.Uniform(-6f, -1f, Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.LogSoftmaxBackward(y, dy, dx, Columns);
            return Read(dx);
        }),
        new("LayerNormForward", x =>
        {
            var (input, weight, bias) = (x.Uniform(-2f, 3f, Rows, Columns), x.Uniform(0.5f, 1.5f, Columns), x.Uniform(Columns));
            var (y, mean, rstd) = (x.Uniform(Rows, Columns), x.Uniform(Rows), x.Uniform(Rows));
            TensorKernels.LayerNormForward(input, weight, bias, 1e-12f, y, mean, rstd);
            return Read(y, mean, rstd);
        }),
        new("LayerNormBackward", x =>
        {
            var (input, weight, mean, rstd, dy) = (x.Uniform(Rows, Columns), x.Uniform(0.5f, 1.5f, Columns), x.Uniform(-0.1f, 0.1f, Rows), x.Uniform(0.5f, 2f, Rows), x.Uniform(Rows, Columns));
            var (dx, dw, db) = (x.Uniform(Rows, Columns), x.Uniform(Columns), x.Uniform(Columns));
            TensorKernels.LayerNormBackward(input, weight, mean, rstd, dy, dx, dw, db);
            return Read(dx, dw, db);
        }),
        new("ResidualLayerNormForward (dropout 0.1)", x =>
        {
            var (dense, bias, residual) = (x.Uniform(Rows, Columns), x.Uniform(Columns), x.Uniform(Rows, Columns));
            var (weight, normBias) = (x.Uniform(0.5f, 1.5f, Columns), x.Uniform(Columns));
            var (mask, sum, y, mean, rstd) = (x.Uniform(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows), x.Uniform(Rows));
            TensorKernels.ResidualLayerNormForward(dense, bias, residual, 0.1f, 11, weight, normBias, 1e-12f, mask, sum, y, mean, rstd);
            return Read(mask, sum, y, mean, rstd);
        }),
        new("ResidualLayerNormForward (no dropout)", x =>
        {
            var (dense, bias, residual) = (x.Uniform(Rows, Columns), x.Uniform(Columns), x.Uniform(Rows, Columns));
            var (weight, normBias) = (x.Uniform(0.5f, 1.5f, Columns), x.Uniform(Columns));
            var (y, mean, rstd) = (x.Uniform(Rows, Columns), x.Uniform(Rows), x.Uniform(Rows));
            TensorKernels.ResidualLayerNormForward(dense, bias, residual, 0f, 11, weight, normBias, 1e-12f, null, dense, y, mean, rstd);
            return Read(dense, y, mean, rstd);
        }),
        new("ResidualLayerNormBackward", x =>
        {
            var (sum, weight, mean, rstd) = (x.Uniform(Rows, Columns), x.Uniform(0.5f, 1.5f, Columns), x.Uniform(-0.1f, 0.1f, Rows), x.Uniform(0.5f, 2f, Rows));
            var (mask, dy) = (x.DropoutMask(0.1f, Rows, Columns), x.Uniform(Rows, Columns));
            var (residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad) = (x.Uniform(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Columns), x.Uniform(Columns), x.Uniform(Columns));
            TensorKernels.ResidualLayerNormBackward(sum, weight, mean, rstd, mask, dy, residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad);
            return Read(residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad);
        }),
        new("ResidualLayerNormBackward (no dropout)", x =>
        {
            var (sum, weight, mean, rstd) = (x.Uniform(Rows, Columns), x.Uniform(0.5f, 1.5f, Columns), x.Uniform(-0.1f, 0.1f, Rows), x.Uniform(0.5f, 2f, Rows));
            var dy = x.Uniform(Rows, Columns);
            var (residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad) = (x.Uniform(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Columns), x.Uniform(Columns), x.Uniform(Columns));
            TensorKernels.ResidualLayerNormBackward(sum, weight, mean, rstd, null, dy, residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad);
            return Read(residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad);
        }),
        new("BiasGeluForward", x =>
        {
            var (pre, bias, y) = (x.Uniform(-3f, 3f, Rows, Columns), x.Uniform(Columns), x.Uniform(Rows, Columns));
            TensorKernels.BiasGeluForward(pre, bias, y);
            return Read(pre, y);
        }),
        new("BiasGeluBackward", x =>
        {
            var (pre, dy, preGrad, biasGrad) = (x.Uniform(-3f, 3f, Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Columns));
            var y = x.Uniform(Rows, Columns);
            TensorKernels.GeluForward(pre, y);
            TensorKernels.BiasGeluBackward(pre, y, dy, preGrad, biasGrad);
            return Read(preGrad, biasGrad);
        }),
        new("GeluForward", x =>
        {
            var (input, y) = (x.Uniform(-5f, 5f, Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.GeluForward(input, y);
            return Read(y);
        }),
        new("GeluBackward", x =>
        {
            var (input, dy, dx) = (x.Uniform(-5f, 5f, Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.GeluBackward(input, dy, dx);
            return Read(dx);
        }),
        new("TanhForward", x =>
        {
            var (input, y) = (x.Uniform(-4f, 4f, Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.TanhForward(input, y);
            return Read(y);
        }),
        new("TanhBackward", x =>
        {
            var (y, dy, dx) = (x.Uniform(-1f, 1f, Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.TanhBackward(y, dy, dx);
            return Read(dx);
        }),
        new("DropoutForward (mask and y)", x =>
        {
            var (input, mask, y) = (x.Uniform(Rows, Columns), x.Uniform(Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.DropoutForward(input, 0.2f, 9, mask, y);
            return Read(mask, y);
        }) { Tolerance = Exact },
        new("DropoutBackward", x =>
        {
            var (dy, mask, dx) = (x.Uniform(Rows, Columns), x.DropoutMask(0.2f, Rows, Columns), x.Uniform(Rows, Columns));
            TensorKernels.DropoutBackward(dy, mask, dx);
            return Read(dx);
        }),
        new("GatherRows", x =>
        {
            var (table, output) = (x.Uniform(Vocab, Columns), x.Uniform(Rows, Columns));
            TensorKernels.GatherRows(table, x.Indices(Rows, Vocab), output, Columns);
            return Read(output);
        }) { Tolerance = Exact },
        new("ScatterAddRows (repeated rows)", x =>
        {
            var (source, table) = (x.Uniform(3 * Rows, Columns), x.Uniform(Vocab, Columns));
            TensorKernels.ScatterAddRows(source, x.Indices(3 * Rows, Vocab), table, Columns);
            return Read(table);
        }),
        new("SumOfEmbeddings", x =>
        {
            var (word, position, tokenType, sum) = (x.Uniform(Vocab, Columns), x.Uniform(8, Columns), x.Uniform(2, Columns), x.Uniform(Rows, Columns));
            TensorKernels.SumOfEmbeddings(word, x.Indices(Rows, Vocab), position, x.Indices(Rows, 8), tokenType, x.Indices(Rows, 2), sum, Columns);
            return Read(sum);
        }),
        new("CrossEntropyForward (loss, count, lse)", x =>
        {
            var (logits, logSumExp) = (x.Uniform(-4f, 4f, Rows, Classes), x.Uniform(Rows));
            int[] targets = x.Indices(Rows, Classes);
            targets[2] = -100; // ignored
            var (loss, count) = TensorKernels.CrossEntropyForward(logits, targets, logSumExp, Classes);
            return [[(float)loss], [count], logSumExp.ToArray()];
        }),
        new("CrossEntropyBackward", x =>
        {
            var logits = x.Uniform(-4f, 4f, Rows, Classes);
            var logSumExp = x.Filled(0f, Rows);
            int[] targets = x.Indices(Rows, Classes);
            targets[2] = -100;
            var (lossGrad, logitsGrad) = (x.Filled(0.8f, 1), x.Uniform(Rows, Classes));
            TensorKernels.CrossEntropyForward(logits, targets, logSumExp, Classes); // fills the logsumexp that backward reads
            TensorKernels.CrossEntropyBackward(logits, targets, logSumExp, lossGrad, Rows - 1, logitsGrad, Classes, accumulate: true);
            return Read(logitsGrad);
        }),
        new("ArgMaxRows", x => [[.. TensorKernels.ArgMaxRows(x.Uniform(Rows, Columns)).Select(i => (float)i)]]) { Tolerance = Exact },
        new("ArgMaxIndices (two tensors)", x => Read(TensorKernels.ArgMaxIndices(x.Uniform(Rows, Columns), x.Uniform(3, Classes)))) { Tolerance = Exact },
        new("AddColumnSums", x =>
        {
            var (source, destination) = (x.Uniform(3 * Rows, Columns), x.Uniform(Columns));
            TensorKernels.AddColumnSums(source, destination, Columns);
            return Read(destination);
        }),
        new("Sum (scale 0.5)", x =>
        {
            var (input, output) = (x.Uniform(0f, 1f, 50, Columns), x.Uniform(1));
            TensorKernels.Sum(input, 0.5f, output);
            return Read(output);
        }),
        new("SumOfSquares", x => [[(float)TensorKernels.SumOfSquares(x.Uniform(50, Columns))]]),
        new("AddScaled (broadcast)", x =>
        {
            var (a, b, y) = (x.Uniform(Rows, Columns), x.Uniform(Columns), x.Uniform(Rows, Columns));
            TensorKernels.AddScaled(a, b, -0.5f, y);
            return Read(y);
        }),
        new("Permute [2,3,4,5] -> (0,2,1,3), accumulate", x =>
        {
            var (input, output) = (x.Uniform(2, 3, 4, 5), x.Uniform(2, 4, 3, 5));
            TensorKernels.Permute(input, [2, 3, 4, 5], [0, 2, 1, 3], output, accumulate: true);
            return Read(output);
        }),
        new("AdamWUpdate (step 3, clip scale 0.7)", x =>
        {
            const int Count = 3 * Columns;
            var (parameters, gradients, m, v) = (x.Uniform(Count), x.Uniform(Count), x.Uniform(-0.1f, 0.1f, Count), x.Uniform(0f, 0.01f, Count));
            var decay = x.Ones(0.5f, Count);
            var scalars = new AdamWScalars(new AdamWHyperparameters(1e-3, 0.9, 0.999, 1e-6, 0.01), step: 3);
            TensorKernels.AdamWUpdate(parameters, gradients, m, v, decay, scalars, StepControl.Unconditional(parameters.Device, clipFactor: 0.7f));
            return Read(parameters, m, v);
        }),
        new("GradientClipping (two buffers: norm, factor, apply)", x =>
        {
            var control = x.Filled(0f, StepControl.Length); // a loss sum of 0: finite
            TensorKernels.GradientClipping([x.Uniform(3 * Columns), x.Uniform(Rows, Columns)], 0.5, control);
            return Read(control);
        }),
    ];

    private static KernelCase MatMul(bool transposeA, bool transposeB)
    {
        // C [67, 70] = op(A)·op(B), k = 33: more than one 64×64 tile of a GPU, and ragged edges.
        const int M = 67, N = 70, K = 33;
        string name = $"MatMul {(transposeA ? "Aᵀ" : "A")}·{(transposeB ? "Bᵀ" : "B")}";
        return new(name, x =>
        {
            var (a, b, c) = (x.Uniform(M * K), x.Uniform(K * N), x.Uniform(M * N));
            TensorKernels.MatMul(transposeA, transposeB, M, N, K, a, b, c);
            return Read(c);
        })
        { Tolerance = Gemm(K) };
    }

    // ---- three training steps ----------------------------------------------------------------------------------------

    private const int Steps = 3;
    private const double LearningRate = 1e-3, MaxGradNorm = 1.0;

    /// <summary>A 2-layer BERT small enough for ILGPU's CPU accelerator (the tests' tiny model).</summary>
    internal static readonly BertConfig TinyConfig = new()
    {
        VocabSize = 50,
        HiddenSize = 16,
        NumHiddenLayers = 2,
        NumAttentionHeads = 2,
        IntermediateSize = 32,
        MaxPositionEmbeddings = 16,
        HiddenDropoutProb = 0.1f,
        AttentionProbsDropoutProb = 0.1f,
    };

    /// <summary>The longest reduction of the tiny model: the log-softmax over its 50 tokens.</summary>
    private const int Length = 50;

    private sealed record Trained(StepOutcome[] Steps, float[] Weights);

    /// <summary>Three steps on the CPU and on <paramref name="device"/> from the same weights, batches and dropout masks; the number of failures.</summary>
    private static int TrainingSteps(Device device, TextWriter output)
    {
        Trained cpu, other;
        try
        {
            cpu = Train(Device.Cpu);
            other = Train(device);
        }
        catch (Exception error)
        {
            output.WriteLine($"training steps FAIL  {error.GetType().Name}: {error.Message}");
            return 1;
        }
        int stages = FloatBounds.BertStages(TinyConfig.NumHiddenLayers);
        double gradients = FloatBounds.Backward(stages, Length);
        double maxWeight = cpu.Weights.Max(w => Math.Abs((double)w));
        int failures = 0;
        output.WriteLine($"training steps (tiny BERT, {Steps} AdamW steps, lr {LearningRate}, dropout on): loss on cpu and {device.Name}");
        for (int step = 0; step < Steps; step++)
        {
            // As EveryDeviceTrainingTests: step 1 sees the same weights (δ_f·|L|); later steps see weights up to
            // δ_θ·max|θ| apart in each of N components, which moves the loss by at most ‖g‖·√N·δ_θ·max|θ|.
            double weightsApart = step == 0 ? 0 : FloatBounds.Weights(step, LearningRate, gradients) * maxWeight * Math.Sqrt(cpu.Weights.Length);
            double bound = FloatBounds.Forward(stages, Length) * Math.Abs(cpu.Steps[step].Loss) + cpu.Steps[step].GradientNorm * weightsApart;
            double difference = Math.Abs(other.Steps[step].Loss - cpu.Steps[step].Loss);
            bool passed = difference <= bound && other.Steps[step].Updated;
            failures += passed ? 0 : 1;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {step + 1}: cpu {cpu.Steps[step].Loss:G9}  {device.Name} {other.Steps[step].Loss:G9}  |diff| {difference:0.00E+00}  tol {bound:0.0E+00}  {(passed ? "OK" : "FAIL")}"));
        }
        return failures;
    }

    private static Trained Train(Device device)
    {
        var model = new BertForPreTraining(TinyConfig, seed: 3);
        var segments = WeightDecayRule.Segments(model.Parameters.Parameters.Select(p => (p.Name, p.Offset, p.Value.Size)));
        model.MoveTo(device);
        try
        {
            var optimizer = new ModelOptimizer([model.Parameters], [new AdamW(segments)]);
            var outcomes = new StepOutcome[Steps];
            for (int step = 0; step < Steps; step++)
            {
                var batch = TinyBatch(step + 1);
                outcomes[step] = TrainingStep.Run(optimizer, microBatches: 1, (_, context) => model.Forward(batch, context).Loss,
                    _ => (ulong)(100 + step), LearningRate, MaxGradNorm);
            }
            model.MoveTo(Device.Cpu); // to read the weights
            return new Trained(outcomes, model.Parameters.Values.ToArray());
        }
        finally
        {
            model.MoveTo(Device.Cpu);
        }
    }

    /// <summary>Two sequences of 8 tokens, the second with two padding positions; three masked tokens (id 4).</summary>
    internal static PretrainingInputs TinyBatch(int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(0, 16).Select(_ => random.Next(5, TinyConfig.VocabSize)).ToArray();
        int[] types = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0];
        int[] attention = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
        var labels = Enumerable.Repeat(Ops.IgnoreIndex, 16).ToArray();
        foreach (int position in new[] { 2, 5, 9 + seed % 3 })
        {
            labels[position] = ids[position];
            ids[position] = 4;
        }
        return new PretrainingInputs(2, 8, ids, types, attention, labels, [seed % 2, 1]);
    }
}

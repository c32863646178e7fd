using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Model;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Benchmarks.Measurements;

/// <summary>
/// `gpu-gemm --device NAME`: our GPU GEMM (<see cref="GpuGemm"/>) against cuBLAS (ILGPU.Algorithms' <see cref="CuBlas"/>
/// binding; CUDA only) on the products of one training step of the default model (<see cref="Shapes"/>): milliseconds
/// per product, GFLOP/s and the share of the FP32 peak (<c>--peak-tflops</c>, by default the H100 SXM5's 67 TFLOP/s
/// of NVIDIA's H100 datasheet; an H100 PCIe has 51). Every result is checked against the CPU's GEMM (the dot-product
/// bound of <see cref="DeviceCheck"/>). Prints one line per shape, "cuBLAS: not available (why)" when libcublas cannot
/// be loaded, and one JSON line; exit code 1 when a check fails. Options: <c>--batch</c> (32) and <c>--seq</c> (128)
/// give the rows B·T, <c>--vocab</c> the MLM decoder's width (30522), <c>--repeats</c> the timed launches per
/// shape (20; one untimed launch first). Small sizes run on <c>ilgpu-cpu</c>, e.g. <c>--batch 1 --seq 32 --vocab 300 --repeats 1</c>.
/// </summary>
internal static class GpuGemmMeasurement
{
    /// <summary>The H100 SXM5's FP32 (non-tensor) peak, 67 TFLOP/s (NVIDIA H100 Tensor Core GPU datasheet).</summary>
    private const double H100SxmPeakTflops = 67;

    public static int Run(string[] args) => Run(args, Console.Out);

    /// <summary>As <see cref="Run(string[])"/>, printing to <paramref name="output"/>.</summary>
    internal static int Run(string[] args, TextWriter output)
    {
        int batch = MeasurementArguments.Int(args, "--batch", 32), length = MeasurementArguments.Int(args, "--seq", 128);
        int vocab = MeasurementArguments.Int(args, "--vocab", new BertConfig().VocabSize);
        int repeats = MeasurementArguments.Int(args, "--repeats", 20);
        double peakTflops = double.Parse(MeasurementArguments.Text(args, "--peak-tflops", H100SxmPeakTflops.ToString(CultureInfo.InvariantCulture)),
            CultureInfo.InvariantCulture);
        using var device = DeviceOption.Open(MeasurementArguments.Text(args, "--device", "cuda"));
        var gpu = device.Gpu ?? throw new ArgumentException($"gpu-gemm needs a GPU device (cuda, opencl, ilgpu-cpu), not '{device.Name}'.");

        var (cuBlas, cuBlasStatus) = OpenCuBlas(gpu);
        using var _ = cuBlas;
        output.WriteLine($"gpu-gemm: {gpu}, {repeats} timed launches per shape, % of {peakTflops} TFLOP/s FP32; cuBLAS: {cuBlasStatus}");
        var results = new List<Dictionary<string, object>>();
        int failures = 0;
        foreach (var shape in Shapes(batch, length, vocab))
        {
            var result = Measure(gpu, cuBlas, shape, repeats, peakTflops, output);
            failures += (bool)result["ok"] ? 0 : 1;
            results.Add(result);
        }
        output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["engine"] = $"minibiobert-{device.Name}",
            ["accelerator"] = gpu.Accelerator.Name,
            ["peak_tflops"] = peakTflops,
            ["cublas"] = cuBlasStatus,
            ["shapes"] = results,
        }));
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// The products of a training step of the default model (hidden 256, FFN 1024, 4 heads of 64) at B·T rows, 15% of
    /// them masked: the linear layers' forward X·Wᵀ, input gradient dY·W and weight gradient dYᵀ·X (split-K: k = B·T),
    /// the MLM decoder's forward and input gradient (split-K: k = vocabulary), and attention's per-head products.
    /// </summary>
    internal static IReadOnlyList<GemmShape> Shapes(int batch, int length, int vocab)
    {
        const int Hidden = 256, Intermediate = 1024, Heads = 4, HeadSize = Hidden / Heads;
        int rows = batch * length, masked = Math.Max(1, rows * 15 / 100);
        return
        [
            new("Q/K/V/output X·Wᵀ", rows, Hidden, Hidden, TransposeB: true),
            new("FFN up X·Wᵀ", rows, Hidden, Intermediate, TransposeB: true),
            new("FFN down X·Wᵀ", rows, Intermediate, Hidden, TransposeB: true),
            new("FFN down dX = dY·W", rows, Hidden, Intermediate),
            new("FFN up dW = dYᵀ·X", Intermediate, rows, Hidden, TransposeA: true),
            new("Q/K/V dW = dYᵀ·X", Hidden, rows, Hidden, TransposeA: true),
            new("MLM decoder X·Wᵀ", masked, Hidden, vocab, TransposeB: true),
            new("MLM decoder dX = dY·W", masked, vocab, Hidden),
            new("attention Q·Kᵀ per head", length, HeadSize, length, TransposeB: true, Batch: batch * Heads),
            new("attention P·V per head", length, length, HeadSize, Batch: batch * Heads),
        ];
    }

    /// <summary>cuBLAS on a CUDA accelerator, or null and why not (another accelerator, libcublas absent or failing).</summary>
    private static (CuBlas? CuBlas, string Status) OpenCuBlas(GpuDevice gpu)
    {
        if (gpu.Accelerator is not CudaAccelerator cuda)
        {
            return (null, $"not available (the device is {gpu.Name}, not cuda)");
        }
        try
        {
            return (new CuBlas(cuda), "available");
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException or CuBlasException or TypeInitializationException
            or InvalidOperationException)
        {
            return (null, $"not available ({error.GetType().Name}: {error.Message})");
        }
    }

    private static Dictionary<string, object> Measure(GpuDevice gpu, CuBlas? cuBlas, GemmShape shape, int repeats, double peakTflops,
        TextWriter output)
    {
        var random = new Random(7);
        var a = Uniform(random, shape.M * shape.K * shape.Batch);
        var b = Uniform(random, shape.K * shape.N * shape.Batch);
        var expected = new float[shape.M * shape.N * shape.Batch];
        TensorKernels.MatMul(shape.TransposeA, shape.TransposeB, shape.M, shape.N, shape.K, Tensor.FromArray(a, a.Length),
            Tensor.FromArray(b, b.Length), Tensor.FromArray(expected, expected.Length), batch: shape.Batch);

        using var deviceA = gpu.Upload<float>(a);
        using var deviceB = gpu.Upload<float>(b);
        using var deviceC = gpu.Allocate<float>(expected.Length);
        var ours = Time(gpu, repeats, () => GpuGemm.MultiplyBatched(gpu, shape.TransposeA, shape.TransposeB, shape.M, shape.N, shape.K, 1f,
            deviceA.View, shape.Lda, (long)shape.M * shape.K, deviceB.View, shape.Ldb, (long)shape.K * shape.N,
            0f, deviceC.View, shape.N, (long)shape.M * shape.N, shape.Batch));
        double tolerance = Math.Max(DeviceCheck.KernelTolerance, (double)shape.K * shape.K * FloatBounds.U / expected.Max(Math.Abs));
        double oursError = DeviceCheck.NormwiseError(gpu.Download<float>(deviceC.View), expected);
        var result = new Dictionary<string, object>
        {
            ["name"] = shape.Name,
            ["m"] = shape.M,
            ["k"] = shape.K,
            ["n"] = shape.N,
            ["batch"] = shape.Batch,
            ["ours_ms"] = Math.Round(ours, 4),
            ["ours_gflops"] = Math.Round(shape.Flops / ours / 1e6, 2),
            ["ours_peak_percent"] = Math.Round(100 * shape.Flops / ours / 1e9 / peakTflops, 2),
            ["ours_error"] = oursError,
        };
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{shape,-48} ours {ours,9:F4} ms {shape.Flops / ours / 1e6,10:F2} GFLOP/s {100 * shape.Flops / ours / 1e9 / peakTflops,6:F2} %");
        bool ok = oursError <= tolerance;
        if (cuBlas is not null)
        {
            double theirs = Time(gpu, repeats, () => CuBlasProduct(cuBlas, shape, deviceA.View, deviceB.View, deviceC.View));
            double theirError = DeviceCheck.NormwiseError(gpu.Download<float>(deviceC.View), expected);
            ok &= theirError <= tolerance;
            result["cublas_ms"] = Math.Round(theirs, 4);
            result["cublas_gflops"] = Math.Round(shape.Flops / theirs / 1e6, 2);
            result["cublas_peak_percent"] = Math.Round(100 * shape.Flops / theirs / 1e9 / peakTflops, 2);
            result["cublas_error"] = theirError;
            line += string.Create(CultureInfo.InvariantCulture,
                $" | cuBLAS {theirs,9:F4} ms {shape.Flops / theirs / 1e6,10:F2} GFLOP/s | ours/cuBLAS speed {theirs / ours,5:F2}");
        }
        result["ok"] = ok;
        output.WriteLine(line + string.Create(CultureInfo.InvariantCulture, $" | vs cpu {oursError:0.0E+00} (tol {tolerance:0.0E+00}) {(ok ? "OK" : "FAIL")}"));
        return result;
    }

    /// <summary>
    /// The row-major product through column-major cuBLAS: C = op(A)·op(B) row-major is Cᵀ = op(B)ᵀ·op(A)ᵀ column-major,
    /// so the operands swap. The binding has no batched GEMM: one call per matrix of a batch.
    /// </summary>
    private static void CuBlasProduct(CuBlas cuBlas, GemmShape shape, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        long aSize = (long)shape.M * shape.K, bSize = (long)shape.K * shape.N, cSize = (long)shape.M * shape.N;
        for (int i = 0; i < shape.Batch; i++)
        {
            cuBlas.Gemm(shape.TransposeB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                shape.TransposeA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                shape.N, shape.M, shape.K, 1f, b.SubView(i * bSize, bSize), shape.Ldb, a.SubView(i * aSize, aSize), shape.Lda,
                0f, c.SubView(i * cSize, cSize), shape.N);
        }
    }

    /// <summary>Milliseconds per call of <paramref name="product"/>: one untimed call, then <paramref name="repeats"/> queued and waited for.</summary>
    private static double Time(GpuDevice gpu, int repeats, Action product)
    {
        product();
        gpu.Synchronize();
        var timer = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            product();
        }
        gpu.Synchronize();
        return timer.Elapsed.TotalMilliseconds / repeats;
    }

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = 2 * random.NextSingle() - 1;
        }
        return values;
    }
}

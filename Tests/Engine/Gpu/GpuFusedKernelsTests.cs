using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// The fused GPU kernels (the GEMM's bias epilogue, residual + dropout + LayerNorm, bias + GELU, softmax + dropout
/// backward, the embedding sum) against the CPU's fused kernels, forward and backward, through
/// <see cref="TensorKernels"/>: with the CPU accelerator's default geometry (16-thread groups) and with a CUDA GPU's
/// (32-thread warps, 256-thread groups: 8×8-thread GEMM groups, 8-lane column sums). Rows of 300 columns make a
/// 256-thread group stride twice over a row; 37 columns leave a partial warp of columns. Bound: normwise 1e-5
/// (<see cref="GpuTesting.Tolerance"/>: a few float32 roundings of the largest value; the column sums add 41 rows in
/// another order, ≈ 41·u relative); dropout masks bit-equal.
/// </summary>
[Category("Gpu")]
public class GpuFusedKernelsTests
{
    private static GpuDevice? _cudaGeometry;
    private static Device? _cudaGeometryDevice;

    [OneTimeSetUp]
    public void Open()
    {
        _cudaGeometry = GpuDevice.OpenCpu(warpSize: 32, warpsPerGroup: 8);
        _cudaGeometryDevice = Device.On(_cudaGeometry);
    }

    [OneTimeTearDown]
    public void Close()
    {
        _cudaGeometryDevice?.Dispose();
        _cudaGeometry?.Dispose();
    }

    public static IEnumerable<string> Geometries => ["default", "cuda"];

    private static Device On(string geometry) => geometry == "cuda" ? _cudaGeometryDevice! : GpuTestDevice.Device;

    [TestCaseSource(nameof(Geometries))]
    public void LinearForwardAddsTheBiasInTheGemm(string geometry) =>
        Compare(geometry, inputs =>
        {
            var (x, weight, bias, y) = (inputs.Uniform(37, 19), inputs.Uniform(70, 19), inputs.Uniform(70), inputs.Uniform(37, 70));
            TensorKernels.LinearForward(x, weight, bias, y);
            return [y];
        });

    [TestCaseSource(nameof(Geometries))]
    public void LinearForwardLaunchesOnce(string geometry)
    {
        var device = On(geometry);
        var (x, weight, bias, y) = (Tensor.Zeros(device, 5, 3), Tensor.Zeros(device, 4, 3), Tensor.Zeros(device, 4), Tensor.Zeros(device, 5, 4));
        var before = device.Gpu!.Counters.Read();
        TensorKernels.LinearForward(x, weight, bias, y);
        Assert.That((device.Gpu.Counters.Read() - before).Launches, Is.EqualTo(1));
    }

    [TestCaseSource(nameof(Geometries))]
    public void ResidualLayerNormWithDropout(string geometry) => CheckResidualLayerNorm(geometry, dropout: true);

    [TestCaseSource(nameof(Geometries))]
    public void ResidualLayerNormWithoutDropout(string geometry) => CheckResidualLayerNorm(geometry, dropout: false);

    /// <summary>Forward (mask bit-equal, sum, y, mean, rstd), then backward from it (gradients added into nonzero buffers).</summary>
    private static void CheckResidualLayerNorm(string geometry, bool dropout)
    {
        const int Rows = 5, Columns = 300;
        Compare(geometry, inputs =>
        {
            var (dense, bias, residual) = (inputs.Uniform(Rows, Columns), inputs.Uniform(Columns), inputs.Uniform(Rows, Columns));
            var (weight, normBias) = (inputs.Uniform(Columns, low: 0.5f, high: 1.5f), inputs.Uniform(Columns));
            var mask = dropout ? inputs.Uniform(Rows, Columns) : null;
            var (sum, y, mean, rstd) = (inputs.Uniform(Rows, Columns), inputs.Uniform(Rows, Columns), inputs.Uniform(Rows), inputs.Uniform(Rows));
            TensorKernels.ResidualLayerNormForward(dense, bias, residual, 0.1f, 17, weight, normBias, 1e-12f, mask, sum, y, mean, rstd);

            var dy = inputs.Uniform(Rows, Columns);
            var (residualGrad, denseGrad) = (inputs.Uniform(Rows, Columns), inputs.Uniform(Rows, Columns));
            var (weightGrad, normBiasGrad, denseBiasGrad) = (inputs.Uniform(Columns), inputs.Uniform(Columns), inputs.Uniform(Columns));
            TensorKernels.ResidualLayerNormBackward(sum, weight, mean, rstd, mask, dy, residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad);
            Tensor[] outputs = [sum, y, mean, rstd, residualGrad, denseGrad, weightGrad, normBiasGrad, denseBiasGrad];
            return mask is null ? outputs : [mask, .. outputs];
        }, exactOutputs: dropout ? 1 : 0);
    }

    [TestCaseSource(nameof(Geometries))]
    public void BiasGeluForwardAndBackward(string geometry) =>
        Compare(geometry, inputs =>
        {
            var (pre, bias, y) = (inputs.Uniform(41, 37, low: -3f, high: 3f), inputs.Uniform(37), inputs.Uniform(41, 37));
            TensorKernels.BiasGeluForward(pre, bias, y);
            var (dy, preGrad, biasGrad) = (inputs.Uniform(41, 37), inputs.Uniform(41, 37), inputs.Uniform(37));
            TensorKernels.BiasGeluBackward(pre, y, dy, preGrad, biasGrad);
            return [pre, y, preGrad, biasGrad];
        });

    /// <summary>The bias gradient's column sums in chunks: 200 rows, a target of 64 groups.</summary>
    [TestCaseSource(nameof(Geometries))]
    public void BiasGeluBackwardInChunks(string geometry) =>
        GpuGemmTests.WithTargetGroups(On(geometry).Gpu!, 64, _ =>
            Compare(geometry, inputs =>
            {
                var (pre, dy, preGrad, biasGrad) = (inputs.Uniform(200, 37, low: -3f, high: 3f), inputs.Uniform(200, 37), inputs.Uniform(200, 37), inputs.Uniform(37));
                var y = inputs.Uniform(200, 37);
                TensorKernels.GeluForward(pre, y);
                TensorKernels.BiasGeluBackward(pre, y, dy, preGrad, biasGrad);
                return [preGrad, biasGrad];
            }));

    [TestCaseSource(nameof(Geometries))]
    public void SoftmaxDropoutBackwardWithMask(string geometry) => CheckSoftmaxDropoutBackward(geometry, masked: true);

    [TestCaseSource(nameof(Geometries))]
    public void SoftmaxDropoutBackwardWithoutMask(string geometry) => CheckSoftmaxDropoutBackward(geometry, masked: false);

    /// <summary>From a softmax forward of 4 rows of 300: dx written (dx starts nonzero), dz replaced by dz ⊙ mask.</summary>
    private static void CheckSoftmaxDropoutBackward(string geometry, bool masked) =>
        Compare(geometry, inputs =>
        {
            var (scores, y) = (inputs.Uniform(4, 300, low: -4f, high: 4f), inputs.Uniform(4, 300));
            TensorKernels.SoftmaxForward(scores, null, 1, y, 300);
            var (dz, dx) = (inputs.Uniform(4, 300), inputs.Uniform(4, 300));
            var mask = masked ? inputs.Uniform(4, 300) : null;
            if (mask is not null)
            {
                TensorKernels.DropoutForward(inputs.Uniform(4, 300), 0.2f, 5, mask, inputs.Uniform(4, 300));
            }
            TensorKernels.SoftmaxDropoutBackward(y, dz, mask, dx, 300);
            return [dz, dx];
        });

    [TestCaseSource(nameof(Geometries))]
    public void SumOfEmbeddingsIsOneLaunch(string geometry)
    {
        var device = On(geometry);
        long launches = 0;
        Compare(geometry, inputs =>
        {
            var (word, position, tokenType, sum) = (inputs.Uniform(11, 37), inputs.Uniform(9, 37), inputs.Uniform(2, 37), inputs.Uniform(7, 37));
            int[] wordIds = [3, 10, 0, 3, 7, 1, 2], positionIds = [0, 1, 2, 3, 4, 5, 8], tokenTypeIds = [0, 0, 0, 1, 1, 1, 0];
            var before = device.Gpu!.Counters.Read();
            TensorKernels.SumOfEmbeddings(word, wordIds, position, positionIds, tokenType, tokenTypeIds, sum, 37);
            launches = (device.Gpu.Counters.Read() - before).Launches;
            return [sum];
        });
        Assert.That(launches, Is.EqualTo(1), "launches of the device run (the last)");
    }

    /// <summary>
    /// Runs <paramref name="run"/> on the CPU and on the device of <paramref name="geometry"/> from the same seeded
    /// inputs and compares each returned tensor: the first <paramref name="exactOutputs"/> bit for bit, the others
    /// normwise within <see cref="GpuTesting.Tolerance"/>.
    /// </summary>
    private static void Compare(string geometry, Func<Inputs, Tensor[]> run, int exactOutputs = 0)
    {
        var expected = run(new Inputs(Device.Cpu)).Select(t => t.ToArray()).ToArray();
        var actual = run(new Inputs(On(geometry))).Select(t => t.ToArray()).ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            if (i < exactOutputs)
            {
                Assert.That(actual[i], Is.EqualTo(expected[i]), $"output {i} (bit-equal)");
            }
            else
            {
                GpuTesting.AssertClose(actual[i], expected[i], $"{geometry}: output {i}");
            }
        }
    }

    /// <summary>Seeded uniform tensors on one device: the same calls give the same values on every device.</summary>
    private sealed class Inputs(Device device)
    {
        private readonly Random _random = new(25);

        public Tensor Uniform(params int[] shape) => Uniform(shape, -1f, 1f);

        public Tensor Uniform(int length, float low, float high) => Uniform([length], low, high);

        public Tensor Uniform(int rows, int columns, float low, float high) => Uniform([rows, columns], low, high);

        private Tensor Uniform(int[] shape, float low, float high) =>
            Tensor.FromArray(GpuTesting.Uniform(_random, Tensor.ShapeSize(shape), low, high), shape).To(device);
    }
}

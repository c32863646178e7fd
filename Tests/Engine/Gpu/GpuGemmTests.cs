using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuGemmTests
{
    /// <remarks>
    /// Odd sizes cover partial tiles on every side (the CPU accelerator's tiles are 16×16, K steps 16).
    /// The backward of C = A·B needs dA = dC·Bᵀ and dB = Aᵀ·dC: the transpose flags are those products.
    /// </remarks>
    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void MatchesTheReference(bool transposeA, bool transposeB) =>
        CheckProduct(GpuTestDevice.Cpu, transposeA, transposeB, m: 37, n: 29, k: 41);

    /// <summary>
    /// Split-K (the weight gradients' shape: few tiles, a long K): with a target of 64 groups the 6 tiles of a 37×29
    /// product split K = 300 four ways; the last group of each tile adds the four partial tiles in order.
    /// </summary>
    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    public void SplitKMatchesTheReference(bool transposeA, bool transposeB) =>
        WithTargetGroups(GpuTestDevice.Cpu, 64, device =>
        {
            Assert.That(GpuGemm.Splits(device, tiles: 6, k: 300), Is.EqualTo(4));
            CheckProduct(device, transposeA, transposeB, m: 37, n: 29, k: 300);
        });

    /// <summary>Runs <paramref name="check"/> with the device's <see cref="GpuDevice.TargetGroups"/> set to <paramref name="groups"/>.</summary>
    internal static void WithTargetGroups(GpuDevice device, int groups, Action<GpuDevice> check)
    {
        int target = device.TargetGroups;
        device.TargetGroups = groups;
        try
        {
            check(device);
        }
        finally
        {
            device.TargetGroups = target;
        }
    }

    [Test]
    public unsafe void BatchedWithPaddedRowsAndStrides()
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(11);
        const int Batch = 3, M = 13, N = 11, K = 19, Lda = K + 2, Ldb = N + 3, Ldc = N + 1;
        long strideA = M * Lda + 5, strideB = K * Ldb, strideC = M * Ldc + 7;
        var a = GpuTesting.Uniform(random, (int)(Batch * strideA));
        var b = GpuTesting.Uniform(random, (int)(Batch * strideB));
        var c = GpuTesting.Uniform(random, (int)(Batch * strideC));
        var expected = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = expected)
        {
            for (int i = 0; i < Batch; i++)
            {
                GemmReference.Multiply(false, false, M, N, K, 1f, pa + i * strideA, Lda, pb + i * strideB, Ldb, 1f, pc + i * strideC, Ldc);
            }
        }
        using var deviceA = device.Upload<float>(a);
        using var deviceB = device.Upload<float>(b);
        using var deviceC = device.Upload<float>(c);
        GpuGemm.MultiplyBatched(device, false, false, M, N, K, 1f, deviceA.View, Lda, strideA, deviceB.View, Ldb, strideB,
            1f, deviceC.View, Ldc, strideC, Batch);
        // Padding between rows and matrices must be left alone, so compare the whole buffer.
        GpuTesting.AssertClose(device.Download<float>(deviceC.View), expected, "batched C", GemmTolerance(K, a, b, expected, 1f));
    }

    [Test]
    public void RejectsAViewTooShortForTheShape()
    {
        var device = GpuTestDevice.Cpu;
        using var small = device.Allocate<float>(10);
        var error = Assert.Throws<ArgumentException>(() =>
            GpuGemm.Multiply(device, false, false, 4, 4, 4, 1f, small.View, 4, small.View, 4, 0f, small.View, 4));
        Assert.That(error!.Message, Does.Contain("A needs 16 elements"));
    }

    /// <summary>C = 0.7·op(A)·op(B) + 0.3·C on <paramref name="device"/> against <see cref="GemmReference"/>.</summary>
    internal static unsafe void CheckProduct(GpuDevice device, bool transposeA, bool transposeB, int m, int n, int k)
    {
        const float Alpha = 0.7f, Beta = 0.3f;
        var random = new Random(m * 1000 + n * 10 + (transposeA ? 2 : 0) + (transposeB ? 1 : 0));
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        var a = GpuTesting.Uniform(random, m * k);
        var b = GpuTesting.Uniform(random, k * n);
        var c = GpuTesting.Uniform(random, m * n);
        var expected = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = expected)
        {
            GemmReference.Multiply(transposeA, transposeB, m, n, k, Alpha, pa, lda, pb, ldb, Beta, pc, n);
        }
        using var deviceA = device.Upload<float>(a);
        using var deviceB = device.Upload<float>(b);
        using var deviceC = device.Upload<float>(c);
        GpuGemm.Multiply(device, transposeA, transposeB, m, n, k, Alpha, deviceA.View, lda, deviceB.View, ldb, Beta, deviceC.View, n);
        GpuTesting.AssertClose(device.Download<float>(deviceC.View), expected, $"C (transposeA {transposeA}, transposeB {transposeB})",
            GemmTolerance(k, a, b, expected, Alpha));
    }

    /// <summary>
    /// The GPU sums k products in float32 (in K-step order) while the reference sums in double, so the error of an
    /// element is bounded by the classic dot-product bound k·ε·Σ|a||b| (ε = 2^-24). Bounding Σ|a||b| by
    /// k·max|a|·max|b| and dividing by max|C| gives a normwise bound that grows with k; it is never set below 1e-5.
    /// </summary>
    private static double GemmTolerance(int k, float[] a, float[] b, float[] expected, float alpha)
    {
        double maxA = a.Max(Math.Abs), maxB = b.Max(Math.Abs), maxC = expected.Max(Math.Abs);
        double bound = k * Math.Pow(2, -24) * k * maxA * maxB * Math.Abs(alpha) / maxC;
        return Math.Max(GpuTesting.Tolerance, bound);
    }
}

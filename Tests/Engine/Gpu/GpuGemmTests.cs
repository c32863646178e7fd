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
    /// Leading dimensions in whole quads (40, 44, 32 for 37, 41, 29 columns): 128-bit loads inside the matrices,
    /// scalar ones where a quad crosses an edge; with sizes that are multiples of 4 (not of the tile), no quad does.
    /// </summary>
    [TestCase(false, false, 37, 29, 41)]
    [TestCase(true, false, 37, 29, 41)]
    [TestCase(false, true, 37, 29, 41)]
    [TestCase(true, true, 37, 29, 41)]
    [TestCase(false, true, 36, 28, 44)]
    [TestCase(true, false, 36, 28, 44)]
    public void RowsInQuadsMatchTheReference(bool transposeA, bool transposeB, int m, int n, int k) =>
        CheckProduct(GpuTestDevice.Cpu, transposeA, transposeB, m, n, k, quadRows: true);

    /// <summary>Views that start inside their buffers: 4 floats in (16-byte aligned: 128-bit loads), 1 or 2 (scalar loads).</summary>
    [TestCase(false, true, 4)]
    [TestCase(false, true, 2)]
    [TestCase(true, false, 4)]
    [TestCase(true, false, 1)]
    public void OffsetViewsMatchTheReference(bool transposeA, bool transposeB, int offset) =>
        CheckProduct(GpuTestDevice.Cpu, transposeA, transposeB, m: 37, n: 29, k: 41, quadRows: true, offset: offset);

    /// <summary>The bias epilogue (a linear layer, X·Wᵀ + bias): C and the bias as quads, and not (rows of 29 floats, an offset of 2).</summary>
    [TestCase(true, 0)]
    [TestCase(true, 4)]
    [TestCase(false, 0)]
    [TestCase(true, 2)]
    public void BiasEpilogueMatchesTheReference(bool quadRows, int offset) =>
        CheckProduct(GpuTestDevice.Cpu, false, true, m: 37, n: 29, k: 41, quadRows, offset, bias: true);

    /// <summary>Which operands get 128-bit loads: the view's offset, the row stride and both matrix strides in whole quads.</summary>
    [Test]
    public void QuadAlignedNeedsOffsetRowStrideAndMatrixStridesInQuads()
    {
        using var buffer = GpuTestDevice.Cpu.Allocate<float>(64);
        Assert.Multiple(() =>
        {
            Assert.That(GpuGemm.QuadAligned(buffer.View, 8, 0, 0), Is.EqualTo(1));
            Assert.That(GpuGemm.QuadAligned(buffer.View.SubView(4, 60), 8, 16, 32), Is.EqualTo(1));
            Assert.That(GpuGemm.QuadAligned(buffer.View.SubView(2, 60), 8, 0, 0), Is.Zero, "view offset");
            Assert.That(GpuGemm.QuadAligned(buffer.View, 6, 0, 0), Is.Zero, "row stride");
            Assert.That(GpuGemm.QuadAligned(buffer.View, 8, 6, 0), Is.Zero, "head stride");
            Assert.That(GpuGemm.QuadAligned(buffer.View, 8, 0, 6), Is.Zero, "item stride");
        });
    }

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

    /// <summary>Split-K with operands in quads and N = 28, a multiple of 4: the partial tiles are written as quads too.</summary>
    [TestCase(false, true)]
    [TestCase(true, false)]
    public void SplitKWithRowsInQuadsMatchesTheReference(bool transposeA, bool transposeB) =>
        WithTargetGroups(GpuTestDevice.Cpu, 64, device =>
        {
            Assert.That(GpuGemm.Splits(device, tiles: 6, k: 300), Is.EqualTo(4));
            CheckProduct(device, transposeA, transposeB, m: 37, n: 28, k: 300, quadRows: true);
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

    /// <summary>
    /// Three products stored with padded rows and gaps between the matrices. The first case's strides are not
    /// multiples of 4 floats (every load scalar); the second's all are (128-bit loads, quads cut by the edges).
    /// </summary>
    [TestCase(2, 3, 1, 5, 7)]
    [TestCase(1, 1, 1, 4, 8)]
    public void BatchedWithPaddedRowsAndStrides(int padA, int padB, int padC, int gapA, int gapC) =>
        CheckBatched(GpuTestDevice.Cpu, padA, padB, padC, gapA, gapC);

    /// <summary>C[i] = op(A[i])·op(B[i]) + C[i] for 3 matrices 13×11 (K = 19) with the given row padding and gaps after each matrix.</summary>
    internal static unsafe void CheckBatched(GpuDevice device, int padA, int padB, int padC, int gapA, int gapC)
    {
        var random = new Random(11);
        const int Batch = 3, M = 13, N = 11, K = 19;
        int lda = K + padA, ldb = N + padB, ldc = N + padC;
        long strideA = M * lda + gapA, strideB = K * ldb, strideC = M * ldc + gapC;
        var a = GpuTesting.Uniform(random, (int)(Batch * strideA));
        var b = GpuTesting.Uniform(random, (int)(Batch * strideB));
        var c = GpuTesting.Uniform(random, (int)(Batch * strideC));
        var expected = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = expected)
        {
            for (int i = 0; i < Batch; i++)
            {
                GemmReference.Multiply(false, false, M, N, K, 1f, pa + i * strideA, lda, pb + i * strideB, ldb, 1f, pc + i * strideC, ldc);
            }
        }
        using var deviceA = device.Upload<float>(a);
        using var deviceB = device.Upload<float>(b);
        using var deviceC = device.Upload<float>(c);
        GpuGemm.MultiplyBatched(device, false, false, M, N, K, 1f, deviceA.View, lda, strideA, deviceB.View, ldb, strideB,
            1f, deviceC.View, ldc, strideC, Batch);
        // Padding between rows and matrices must be left alone, so compare the whole buffer.
        GpuTesting.AssertClose(device.Download<float>(deviceC.View), expected, "batched C", GemmTolerance(K, a, b, expected, 1f));
    }

    /// <summary>
    /// Attention's per-head products, read and written in place: queries·keysᵀ ([items, T, heads·d] each, head h
    /// at columns h·d) into scores [items, heads, T, T], and scores·values back into [items, T, heads·d]. T = 13
    /// tokens, 2 items, 3 heads; head size 8 keeps every stride a multiple of 4 floats, 5 does not.
    /// </summary>
    [TestCase(8)]
    [TestCase(5)]
    public void PerHeadProductsInsideActivations(int headSize) => CheckAttentionProducts(GpuTestDevice.Cpu, headSize);

    internal static void CheckAttentionProducts(GpuDevice device, int headSize)
    {
        const int Items = 2, Heads = 3, Tokens = 13;
        var activations = new Layout(Heads * headSize, headSize, (long)Tokens * Heads * headSize);
        var scores = new Layout(Tokens, (long)Tokens * Tokens, (long)Heads * Tokens * Tokens);
        CheckPerHead(device, false, true, Tokens, Tokens, headSize, activations, activations, scores, Items, Heads);
        CheckPerHead(device, false, false, Tokens, headSize, Tokens, scores, activations, activations, Items, Heads);
        CheckPerHead(device, true, false, Tokens, headSize, Tokens, scores, activations, activations, Items, Heads);
    }

    /// <summary>Row stride, head stride and item stride of the matrices of one operand of <see cref="GpuGemm.MultiplyPerHead"/>.</summary>
    internal readonly record struct Layout(int Ld, long Head, long Item)
    {
        /// <summary>Floats spanned by items × heads matrices of [rows, columns].</summary>
        public int Length(int items, int heads, int rows, int columns) => (int)((items - 1) * Item + (heads - 1) * Head + (long)(rows - 1) * Ld + columns);
    }

    /// <summary>C = 0.7·op(A)·op(B) + 0.3·C for every (item, head) in one launch, against the reference product by product.</summary>
    internal static unsafe void CheckPerHead(GpuDevice device, bool transposeA, bool transposeB, int m, int n, int k,
        Layout a, Layout b, Layout c, int items, int heads)
    {
        const float Alpha = 0.7f, Beta = 0.3f;
        var random = new Random(m * 100 + n * 10 + k);
        var aValues = GpuTesting.Uniform(random, a.Length(items, heads, transposeA ? k : m, transposeA ? m : k));
        var bValues = GpuTesting.Uniform(random, b.Length(items, heads, transposeB ? n : k, transposeB ? k : n));
        var cValues = GpuTesting.Uniform(random, c.Length(items, heads, m, n));
        var expected = (float[])cValues.Clone();
        fixed (float* pa = aValues, pb = bValues, pc = expected)
        {
            for (int item = 0; item < items; item++)
            {
                for (int head = 0; head < heads; head++)
                {
                    GemmReference.Multiply(transposeA, transposeB, m, n, k, Alpha, pa + item * a.Item + head * a.Head, a.Ld,
                        pb + item * b.Item + head * b.Head, b.Ld, Beta, pc + item * c.Item + head * c.Head, c.Ld);
                }
            }
        }
        using var deviceA = device.Upload<float>(aValues);
        using var deviceB = device.Upload<float>(bValues);
        using var deviceC = device.Upload<float>(cValues);
        GpuGemm.MultiplyPerHead(device, transposeA, transposeB, m, n, k, Alpha, deviceA.View, a.Ld, a.Head, a.Item,
            deviceB.View, b.Ld, b.Head, b.Item, Beta, deviceC.View, c.Ld, c.Head, c.Item, items, heads);
        GpuTesting.AssertClose(device.Download<float>(deviceC.View), expected, $"per-head C (transposeA {transposeA}, transposeB {transposeB})",
            GemmTolerance(k, aValues, bValues, expected, Alpha));
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

    /// <summary>
    /// C = 0.7·op(A)·op(B) + 0.3·C (+ bias) on <paramref name="device"/> against <see cref="GemmReference"/>. With
    /// <paramref name="quadRows"/> every leading dimension is rounded up to a multiple of 4 floats (the 128-bit path;
    /// the padding must be left alone); every view, the bias's too, starts <paramref name="offset"/> floats into its
    /// buffer (a multiple of 4 keeps the 128-bit path, anything else does not).
    /// </summary>
    internal static unsafe void CheckProduct(GpuDevice device, bool transposeA, bool transposeB, int m, int n, int k,
        bool quadRows = false, int offset = 0, bool bias = false)
    {
        const float Alpha = 0.7f, Beta = 0.3f;
        var random = new Random(m * 1000 + n * 10 + (transposeA ? 2 : 0) + (transposeB ? 1 : 0));
        int lda = Ld(transposeA ? m : k, quadRows), ldb = Ld(transposeB ? k : n, quadRows), ldc = Ld(n, quadRows);
        var a = GpuTesting.Uniform(random, offset + (transposeA ? k : m) * lda);
        var b = GpuTesting.Uniform(random, offset + (transposeB ? n : k) * ldb);
        var c = GpuTesting.Uniform(random, offset + m * ldc);
        var biasValues = GpuTesting.Uniform(random, offset + n);
        var expected = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = expected)
        {
            GemmReference.Multiply(transposeA, transposeB, m, n, k, Alpha, pa + offset, lda, pb + offset, ldb, Beta, pc + offset, ldc);
        }
        for (int i = 0; bias && i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                expected[offset + i * ldc + j] += biasValues[offset + j];
            }
        }
        using var deviceA = device.Upload<float>(a);
        using var deviceB = device.Upload<float>(b);
        using var deviceC = device.Upload<float>(c);
        using var deviceBias = device.Upload<float>(biasValues);
        var viewA = deviceA.View.SubView(offset, a.Length - offset);
        var viewB = deviceB.View.SubView(offset, b.Length - offset);
        var viewC = deviceC.View.SubView(offset, c.Length - offset);
        TestContext.Out.WriteLine($"128-bit loads: A {GpuGemm.QuadAligned(viewA, lda, 0, 0)}, B {GpuGemm.QuadAligned(viewB, ldb, 0, 0)}");
        GpuGemm.Multiply(device, transposeA, transposeB, m, n, k, Alpha, viewA, lda, viewB, ldb, Beta, viewC, ldc,
            bias ? deviceBias.View.SubView(offset, n) : default);
        GpuTesting.AssertClose(device.Download<float>(deviceC.View), expected, $"C (transposeA {transposeA}, transposeB {transposeB})",
            GemmTolerance(k, a, b, expected, Alpha));
    }

    /// <summary>A leading dimension for rows of <paramref name="columns"/>: as is, or rounded up to a multiple of 4.</summary>
    private static int Ld(int columns, bool quadRows) => quadRows ? (columns + 3) / 4 * 4 : columns;

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

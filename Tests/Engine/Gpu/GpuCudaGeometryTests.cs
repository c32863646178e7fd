using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// The other GPU tests run with the CPU accelerator's default 16-thread groups. These run the kernels with a CUDA
/// GPU's geometry — 32-thread warps, 256-thread groups, so 8×8-thread GEMM groups with 64×64 tiles and 8-lane
/// column sums — on the CPU accelerator, which then needs one OS thread per kernel thread: slow, so shapes are small.
/// </summary>
[Category("Gpu")]
public class GpuCudaGeometryTests
{
    private static GpuDevice? _device;

    [OneTimeSetUp]
    public void Open() => _device = GpuDevice.OpenCpu(warpSize: 32, warpsPerGroup: 8);

    [OneTimeTearDown]
    public void Close() => _device?.Dispose();

    /// <summary>
    /// Every transpose case with 64×64 tiles (m = 70, n = 67, k = 35: partial tiles and quads on every side), leading
    /// dimensions as they come (scalar loads) and rounded up to whole quads (128-bit loads).
    /// </summary>
    [TestCase(true, false, false)]
    [TestCase(false, false, false)]
    [TestCase(false, true, false)]
    [TestCase(true, true, false)]
    [TestCase(true, false, true)]
    [TestCase(false, false, true)]
    [TestCase(false, true, true)]
    [TestCase(true, true, true)]
    public void GemmWithSixtyFourBySixtyFourTiles(bool transposeA, bool transposeB, bool quadRows)
    {
        Assert.That(_device!.GemmThreadsPerSide * GpuGemm.MicroTile, Is.EqualTo(64));
        GpuGemmTests.CheckProduct(_device, transposeA, transposeB, m: 70, n: 67, k: 35, quadRows);
    }

    /// <summary>X·Wᵀ + bias with views 4 floats (aligned) and 2 floats (not) into their buffers.</summary>
    [TestCase(4)]
    [TestCase(2)]
    public void OffsetViewsAndBiasWithSixtyFourBySixtyFourTiles(int offset) =>
        GpuGemmTests.CheckProduct(_device!, false, true, m: 70, n: 67, k: 35, quadRows: true, offset, bias: true);

    /// <summary>
    /// Split-K with 64×64 tiles: 4 tiles, K = 300 in 4 splits of 5 K steps (the last shorter); scalar loads (n = 67),
    /// and 128-bit loads with quad partial tiles (n = 68, rows in quads).
    /// </summary>
    [TestCase(true, false, 67, false)]
    [TestCase(true, false, 68, true)]
    [TestCase(false, true, 68, true)]
    public void SplitKGemmWithSixtyFourBySixtyFourTiles(bool transposeA, bool transposeB, int n, bool quadRows) =>
        GpuGemmTests.WithTargetGroups(_device!, 16, device =>
        {
            Assert.That(GpuGemm.Splits(device, tiles: 4, k: 300), Is.EqualTo(4));
            GpuGemmTests.CheckProduct(device, transposeA, transposeB, m: 70, n: n, k: 300, quadRows);
        });

    /// <summary>Three batched products with padded rows and gaps, all in whole quads.</summary>
    [Test]
    public void BatchedGemmWithSixtyFourBySixtyFourTiles() => GpuGemmTests.CheckBatched(_device!, 1, 1, 1, 4, 8);

    /// <summary>Attention's per-head products (2 items × 3 heads in one launch), head size 8 (quads) and 5 (not).</summary>
    [TestCase(8)]
    [TestCase(5)]
    public void PerHeadGemmWithSixtyFourBySixtyFourTiles(int headSize) => GpuGemmTests.CheckAttentionProducts(_device!, headSize);

    [Test]
    public void MaskedSoftmaxWithTwoHundredFiftySixThreadsPerRow() =>
        GpuSoftmaxTests.CheckMaskedSoftmax(_device!, batch: 2, heads: 1, queries: 2, keys: 300);

    [Test]
    public void LayerNormWithTwoHundredFiftySixThreadsPerRow() =>
        GpuLayerNormTests.CheckLayerNorm(_device!, rows: 3, columns: 300);

    /// <summary>40 groups of 256 threads count themselves done; the last adds the 40 row losses (the chunked read: GpuCrossEntropyTests).</summary>
    [Test]
    public void CrossEntropyMeanByTheLastOfFortyGroups() =>
        GpuCrossEntropyTests.CheckCrossEntropy(_device!, rows: 40);

    /// <summary>8 lanes × 32 columns per group, 300 rows in 8 chunks (a target of 16 groups for 2 column blocks).</summary>
    [Test]
    public void ColumnSumsInEightChunks() =>
        GpuGemmTests.WithTargetGroups(_device!, 16, device =>
        {
            Assert.That(GpuReductions.ColumnConfig(device, columns: 37, rows: 300).GridDim.Y, Is.EqualTo(8));
            GpuElementwiseTests.CheckColumnSums(device, rows: 300, columns: 37);
        });

    [Test]
    public void ColumnSumsWithEightLanes() =>
        GpuElementwiseTests.CheckColumnSums(_device!, rows: 41, columns: 37);
}

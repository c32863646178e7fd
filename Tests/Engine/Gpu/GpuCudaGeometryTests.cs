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

    [Test]
    public void GemmWithSixtyFourBySixtyFourTiles()
    {
        Assert.That(_device!.GemmThreadsPerSide * GpuGemm.MicroTile, Is.EqualTo(64));
        GpuGemmTests.CheckProduct(_device, transposeA: true, transposeB: false, m: 70, n: 67, k: 35);
    }

    /// <summary>Split-K with 64×64 tiles: 4 tiles, K = 300 in 4 splits of 5 K steps (the last shorter).</summary>
    [Test]
    public void SplitKGemmWithSixtyFourBySixtyFourTiles() =>
        GpuGemmTests.WithTargetGroups(_device!, 16, device =>
        {
            Assert.That(GpuGemm.Splits(device, tiles: 4, k: 300), Is.EqualTo(4));
            GpuGemmTests.CheckProduct(device, transposeA: true, transposeB: false, m: 70, n: 67, k: 300);
        });

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

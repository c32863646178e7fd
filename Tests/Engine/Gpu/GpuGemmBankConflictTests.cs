using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// The GEMM kernel's shared and global accesses with a CUDA GPU's geometry — groups of 8×8 threads (two warps:
/// thread t = 8·ty + tx, warp t / 32), 64×64 tiles — counted with <see cref="SharedMemoryBanks"/>, from the same
/// index functions the kernel uses (<see cref="GpuGemm.Owned"/>, <see cref="GpuGemm.SliceBlock"/>).
/// A K row of a shared slice is <see cref="GpuGemm.RowQuads"/> quads (64 floats); slice quad kk·RowQuads + x/4 holds
/// x .. x + 3 at depth kk.
/// </summary>
[Category("Gpu")]
public class GpuGemmBankConflictTests
{
    private const int Side = 8, Tile = 64, Threads = Side * Side;

    /// <summary>The threads of warp <paramref name="warp"/> of a group, in lane order.</summary>
    private static IEnumerable<int> Warp(int warp) => Enumerable.Range(warp * SharedMemoryBanks.WarpSize, SharedMemoryBanks.WarpSize);

    /// <summary>The model itself: a broadcast is free, a column of words 32 apart is one bank, quarter-warps are apart.</summary>
    [Test]
    public void TheModelCountsConflicts()
    {
        var lanes = Enumerable.Range(0, SharedMemoryBanks.WarpSize).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(SharedMemoryBanks.Wavefronts(lanes, 1), Is.EqualTo(1), "consecutive words");
            Assert.That(SharedMemoryBanks.Wavefronts(lanes.Select(_ => 7).ToList(), 1), Is.EqualTo(1), "one word, broadcast");
            Assert.That(SharedMemoryBanks.Wavefronts(lanes.Select(t => 32 * t).ToList(), 1), Is.EqualTo(32), "one bank");
            Assert.That(SharedMemoryBanks.Wavefronts(lanes.Select(t => 65 * (t % 16) + t / 16).ToList(), 1), Is.EqualTo(2), "two columns of a 65-float row");
            Assert.That(SharedMemoryBanks.Wavefronts(lanes.Select(t => 4 * t).ToList(), 4), Is.EqualTo(4), "consecutive quads");
            Assert.That(SharedMemoryBanks.Wavefronts(lanes.Select(t => 64 * t).ToList(), 4), Is.EqualTo(32), "quads 64 words apart");
            Assert.That(SharedMemoryBanks.Sectors(lanes.Select(t => 4L * t).ToList(), 4), Is.EqualTo(4), "128 consecutive bytes");
            Assert.That(SharedMemoryBanks.Sectors(lanes.Select(t => 16L * t).ToList(), 4), Is.EqualTo(16), "every fourth float");
        });
    }

    /// <summary>
    /// Each K step a thread reads two quads of the B slice (its columns 4·tx + Owned(j)) and two of the A slice (rows
    /// 4·ty + Owned(i)). A warp's 8 values of tx read 32 consecutive words (every bank once); its 4 values of ty read
    /// 16 words, each broadcast to 8 threads. Both are one wavefront per quarter-warp: conflict-free.
    /// </summary>
    [Test]
    public void MicroTileReadsAreConflictFree()
    {
        for (int warp = 0; warp < Threads / SharedMemoryBanks.WarpSize; warp++)
        {
            for (int kk = 0; kk < GpuGemm.KStep; kk++)
            {
                for (int half = 0; half < 2; half++)
                {
                    var bWords = Warp(warp).Select(t => 4 * kk * GpuGemm.RowQuads + 4 * (t % Side) + GpuGemm.Owned(4 * half, Side)).ToList();
                    var aWords = Warp(warp).Select(t => 4 * kk * GpuGemm.RowQuads + 4 * (t / Side) + GpuGemm.Owned(4 * half, Side)).ToList();
                    Assert.That(SharedMemoryBanks.Wavefronts(bWords, 4), Is.EqualTo(4), $"B, warp {warp}, kk {kk}, quad {half}");
                    Assert.That(SharedMemoryBanks.Wavefronts(aWords, 4), Is.EqualTo(4), $"A, warp {warp}, kk {kk}, quad {half}");
                }
            }
        }
    }

    /// <summary>
    /// Copying a slice, thread t owns 4×4 block t (64 blocks, one each) and stores it as four quads, one per K row:
    /// a quarter-warp's 8 blocks lie side by side in one K row (32 consecutive words), so each store is conflict-free
    /// whichever operand is transposed — the transpose happens in registers, not in the bank pattern.
    /// </summary>
    [Test]
    public void SliceStoresAreConflictFree()
    {
        Assert.That(Tile * GpuGemm.KStep / 16, Is.EqualTo(Threads), "one 4×4 block per thread");
        for (int warp = 0; warp < Threads / SharedMemoryBanks.WarpSize; warp++)
        {
            for (int row = 0; row < 4; row++)
            {
                var words = Warp(warp).Select(t =>
                {
                    var (x, depth) = GpuGemm.SliceBlock(t, Tile);
                    return 4 * ((depth + row) * GpuGemm.RowQuads + x / 4);
                }).ToList();
                Assert.That(SharedMemoryBanks.Wavefronts(words, 4), Is.EqualTo(4), $"warp {warp}, row {row} of the blocks");
            }
        }
    }

    /// <summary>
    /// The slice's 128-bit global loads use every byte of the sectors they touch, for either contiguous direction: along
    /// the depth (X·Wᵀ) a warp reads 16 rows × 32 bytes (two blocks side by side in depth), along m or n 2 depths ×
    /// 256 bytes. Likewise the epilogue's quad stores of C: 4 rows × 128 bytes.
    /// </summary>
    [TestCase(256)]
    [TestCase(1024)]
    public void GlobalQuadsFillWholeSectors(int ld)
    {
        for (int warp = 0; warp < Threads / SharedMemoryBanks.WarpSize; warp++)
        {
            for (int r = 0; r < 4; r++)
            {
                var blocks = Warp(warp).Select(t => GpuGemm.SliceBlock(t, Tile)).ToList();
                var alongDepth = blocks.Select(block => 4L * ((block.X + r) * (long)ld + block.Depth)).ToList();
                var alongX = blocks.Select(block => 4L * ((block.Depth + r) * (long)ld + block.X)).ToList();
                Assert.That(SharedMemoryBanks.Sectors(alongDepth, 16), Is.EqualTo(16), $"along the depth, warp {warp}, quad {r}");
                Assert.That(SharedMemoryBanks.Sectors(alongX, 16), Is.EqualTo(16), $"along x, warp {warp}, quad {r}");
            }
            for (int half = 0; half < 2; half++)
            {
                var cQuads = Warp(warp).Select(t => 4L * ((4 * (t / Side)) * (long)ld + 4 * (t % Side) + GpuGemm.Owned(4 * half, Side))).ToList();
                Assert.That(SharedMemoryBanks.Sectors(cQuads, 16), Is.EqualTo(16), $"C, warp {warp}, quad {half}");
            }
        }
    }
}

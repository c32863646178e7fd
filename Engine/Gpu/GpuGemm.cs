using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Single-precision matrix multiply on the GPU, with the semantics of <see cref="Cpu.Gemm"/>:
/// <c>C = alpha · op(A) · op(B) + beta · C</c> on row-major matrices, op(X) = X or Xᵀ, op(A): [m, k], op(B): [k, n].
/// <para>
/// Design: each group of s×s threads computes an (8s)×(8s) tile of C (64×64 with 8×8 threads on a GPU, 16×16 with
/// 2×2 on ILGPU's CPU accelerator). The K dimension is walked in steps of <see cref="KStep"/>: the group copies a
/// [KStep, 8s] slice of op(A) and of op(B) into shared memory, then every thread accumulates its own 8×8 micro-tile
/// in registers, reading 8 + 8 shared values for 64 multiply-adds (4×4 micro-tiles read 8 for 16: a quarter of the
/// shared-memory traffic per multiply-add). Memory is moved in quads — 4 consecutive floats, 16 bytes, one 128-bit
/// instruction (<see cref="Float4"/>) — wherever the layout allows.
/// </para>
/// <para>
/// The micro-tile. A thread owns two runs of 4 rows, 4·ty .. 4·ty + 3 and 4s + 4·ty .. 4s + 4·ty + 3, and the same
/// columns with tx (<see cref="Owned"/>). A slice stores a K row as <see cref="RowQuads"/> quads, so per K row a
/// thread's 8 values of op(B) are quads tx and s + tx, and its 8 of op(A) quads ty and s + ty: four 128-bit shared
/// loads per 64 multiply-adds (16 scalar loads before). Per K step (16 K rows) and thread, with 8×8 threads: 64 shared
/// loads and 1,024 multiply-adds.
/// </para>
/// <para>
/// Copying a slice. The [KStep, 64] slice is 64 blocks of 4×4; thread t copies block t (<see cref="SliceBlock"/>:
/// blocks run along the tile first) with four quad loads along the operand's contiguous direction and four 128-bit
/// shared stores, one per K row of the block. When the contiguous direction is m or n (op(A) = Aᵀ, op(B) = B) the
/// quads are already K rows; when it is the depth (op(A) = X, op(B) = Wᵀ, as in every X·Wᵀ) they are rows of the
/// block, transposed in registers. Per K step and thread: 8 global loads and 8 shared stores, all 128-bit (32 and 32
/// scalar before). A quad load is 128-bit when the operand is aligned — its view starts, and its row and matrix
/// strides are, in whole quads (<see cref="QuadAligned"/>, decided on the host) — and the quad lies inside the
/// matrix; otherwise (odd leading dimensions, views that start mid-quad, quads that cross the matrix's edge) it is
/// four guarded scalar loads with zeros outside, so edges are zero-padded as before.
/// </para>
/// <para>
/// Bank conflicts (32 banks of 4 bytes; a warp's 128-bit access is served a quarter-warp — 8 threads, 128 bytes — at a
/// time, so a conflict-free one takes 4 wavefronts; counted on the host in <c>GpuGemmBankConflictTests</c>). A warp
/// is 8 values of tx × 4 of ty. Micro-tile loads: the 8 tx read 8 consecutive quads (32 words, every bank once), the
/// 4 ty 4 consecutive quads broadcast to 8 threads each: both conflict-free. Slice stores: a quarter-warp stores 8
/// blocks side by side in one K row, 32 consecutive words: conflict-free for both transpose cases, so K rows need no
/// padding (64 floats; the element-wise copy this replaced stored down a column of 65-float rows: 2-way conflicts).
/// Global loads: a warp's quad load reads 16 rows × 32 bytes (depth contiguous) or 2 K rows × 256 bytes (m or n
/// contiguous): every byte of each 32-byte sector it touches.
/// </para>
/// <para>
/// There are two slices per operand (16 KB in all): while the group multiplies one, it loads the next K step into
/// the other (one barrier per step). The epilogue writes each run of 4 columns of C as a quad (reading C for beta
/// and the bias as quads) when C and the bias are aligned and the quad lies inside C; a warp then writes 4 rows ×
/// 128 bytes per instruction.
/// </para>
/// <para>
/// Split-K: a single product with too few tiles to fill the accelerator (the weight gradients, k = B·T rows; the MLM
/// head's input gradient, k = vocabulary) splits K among <c>splits</c> groups per tile (the grid's z). Each writes
/// its partial tile to the device's scratch; the last of a tile's groups to finish (<see cref="GpuLastGroup"/>) adds
/// the partials in split order (deterministic) and applies alpha, beta and the bias.
/// </para>
/// </summary>
internal static class GpuGemm
{
    /// <summary>Outputs per thread along each side of its micro-tile.</summary>
    public const int MicroTile = 8;

    /// <summary>Depth of the shared-memory slices, in elements of K.</summary>
    public const int KStep = 16;

    /// <summary>Largest tile side (8 threads × 8): the shared slices are sized for it.</summary>
    private const int MaxTile = 64;

    /// <summary>Quads (4 floats, 16 bytes) per K row of a shared slice: one tile row.</summary>
    internal const int RowQuads = MaxTile / 4;

    /// <summary>Quads in one shared slice ([KStep, RowQuads]).</summary>
    private const int SliceQuads = KStep * RowQuads;

    /// <summary>Each split of K walks at least this many K steps.</summary>
    private const int MinStepsPerSplit = 4;

    /// <summary>The most groups that split one tile's K.</summary>
    private const int MaxSplits = 64;

    /// <summary>
    /// One product; see <see cref="MultiplyBatched"/>. A non-empty <paramref name="bias"/> ([n]) is added to every row
    /// of C in the same pass (the epilogue of a linear layer: C = alpha·op(A)·op(B) + beta·C + bias).
    /// </summary>
    public static void Multiply(GpuDevice device, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc, ArrayView<float> bias = default) =>
        MultiplyPerHead(device, transposeA, transposeB, m, n, k, alpha, a, lda, 0, 0, b, ldb, 0, 0,
            beta, c, ldc, 0, 0, items: 1, heads: 1, bias);

    /// <summary>
    /// <paramref name="batch"/> independent products; matrix i of A starts at element <c>i·strideA</c> of
    /// <paramref name="a"/> (likewise B and C). lda/ldb/ldc are the row strides of A, B and C as stored.
    /// </summary>
    public static void MultiplyBatched(GpuDevice device, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, long strideA, ArrayView<float> b, int ldb, long strideB,
        float beta, ArrayView<float> c, int ldc, long strideC, int batch) =>
        MultiplyPerHead(device, transposeA, transposeB, m, n, k, alpha, a, lda, strideA, 0, b, ldb, strideB, 0,
            beta, c, ldc, strideC, 0, items: 1, heads: batch);

    /// <summary>
    /// One launch for <paramref name="items"/> × <paramref name="heads"/> products: product (item, head) reads and
    /// writes its matrices at item·itemStride + head·headStride in each view (attention's per-head products inside
    /// [B, T, H] activations, or [B, heads, T, T] scores).
    /// </summary>
    public static void MultiplyPerHead(GpuDevice device, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, long headStrideA, long itemStrideA, ArrayView<float> b, int ldb, long headStrideB, long itemStrideB,
        float beta, ArrayView<float> c, int ldc, long headStrideC, long itemStrideC, int items, int heads, ArrayView<float> bias = default)
    {
        if (m < 0 || n < 0 || k < 0 || items < 0 || heads < 0)
        {
            throw new ArgumentException($"GEMM: negative size (m={m}, n={n}, k={k}, items={items}, heads={heads}).");
        }
        CheckOperand("A", a, transposeA ? k : m, transposeA ? m : k, lda, headStrideA, heads, itemStrideA, items);
        CheckOperand("B", b, transposeB ? n : k, transposeB ? k : n, ldb, headStrideB, heads, itemStrideB, items);
        CheckOperand("C", c, m, n, ldc, headStrideC, heads, itemStrideC, items);
        if (bias.Length > 0)
        {
            GpuChecks.Length("GEMM", "bias", bias, n);
        }
        if (m == 0 || n == 0 || items == 0 || heads == 0)
        {
            return;
        }
        int side = device.GemmThreadsPerSide;
        int tile = side * MicroTile;
        var tiles = new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile);
        int splits = items * heads == 1 ? Splits(device, tiles.Size, k) : 1;
        int kPerSplit = ((k + KStep - 1) / KStep + splits - 1) / splits * KStep;
        var arguments = new GemmArguments
        {
            TransposeA = transposeA ? 1 : 0,
            TransposeB = transposeB ? 1 : 0,
            M = m,
            N = n,
            K = k,
            Alpha = alpha,
            Beta = beta,
            Lda = lda,
            Ldb = ldb,
            Ldc = ldc,
            StrideA = headStrideA,
            StrideB = headStrideB,
            StrideC = headStrideC,
            Heads = heads,
            ItemStrideA = itemStrideA,
            ItemStrideB = itemStrideB,
            ItemStrideC = itemStrideC,
            HasBias = bias.Length > 0 ? 1 : 0,
            Splits = splits,
            KPerSplit = kPerSplit,
            VectorA = QuadAligned(a, lda, headStrideA, itemStrideA),
            VectorB = QuadAligned(b, ldb, headStrideB, itemStrideB),
            VectorC = QuadAligned(c, ldc, headStrideC, itemStrideC) != 0 && (bias.Length == 0 || OffsetInBytes(bias) % 16 == 0) ? 1 : 0,
        };
        var config = new KernelConfig(new Index3D(tiles.X, tiles.Y, items * heads * splits), new Index3D(side, side, 1));
        var partials = splits > 1 ? device.Scratch((long)splits * m * n) : default;
        device.Kernels.Gemm(config, arguments, a, b, c, bias, partials, device.GroupCounters);
    }

    /// <summary>
    /// 1 when every quad of consecutive floats that <see cref="LoadQuad"/> reads from this operand starts at a multiple
    /// of 16 bytes of its buffer — the view's offset in the buffer is, and the row stride and both matrix strides are
    /// multiples of 4 floats — so that the quads can be 128-bit loads (device buffers start at least 256-byte aligned).
    /// Inside a matrix the quads start at multiples of 4 anyway: blocks at multiples of 4 rows and columns, K steps
    /// (and splits) at multiples of 16.
    /// </summary>
    internal static int QuadAligned(ArrayView<float> view, int ld, long headStride, long itemStride) =>
        OffsetInBytes(view) % 16 == 0 && ld % 4 == 0 && headStride % 4 == 0 && itemStride % 4 == 0 ? 1 : 0;

    /// <summary>Where a view starts in its buffer, in bytes (through the interface without boxing the view).</summary>
    private static long OffsetInBytes<TView>(TView view) where TView : IContiguousArrayView => view.IndexInBytes;

    /// <summary>
    /// How many groups share each of <paramref name="tiles"/> tiles' K: enough to reach the device's target group
    /// count, each walking at least <see cref="MinStepsPerSplit"/> K steps (a multiple of KStep each); 1 when the
    /// tiles alone fill the accelerator or there are more tiles than group counters.
    /// </summary>
    internal static int Splits(GpuDevice device, int tiles, int k)
    {
        if (tiles >= device.TargetGroups || tiles > GpuDevice.GroupCounterCount)
        {
            return 1;
        }
        int wanted = Math.Min((device.TargetGroups + tiles - 1) / tiles, Math.Min(MaxSplits, k / (KStep * MinStepsPerSplit)));
        if (wanted <= 1)
        {
            return 1;
        }
        // Whole K steps per split, and no empty split.
        int steps = (k + KStep - 1) / KStep;
        int stepsPerSplit = (steps + wanted - 1) / wanted;
        return (steps + stepsPerSplit - 1) / stepsPerSplit;
    }

    /// <summary>
    /// The kernel: group (x, y, z) computes the C tile at rows y·tile, columns x·tile of product z / splits, over the
    /// K range of split z mod splits.
    /// </summary>
    internal static void Kernel(GemmArguments args, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        ArrayView<float> partials, ArrayView<int> counters)
    {
        // Slice buffer f of each operand starts at quad f·SliceQuads; quad kk·RowQuads + i/4 of a slice holds
        // op(A)[rowBase + i .. rowBase + i + 3, k0 + kk] (i a multiple of 4); likewise bSlices with op(B)[k0 + kk, colBase + j .. j + 3].
        var aSlices = SharedMemory.Allocate<Float4>(2 * SliceQuads);
        var bSlices = SharedMemory.Allocate<Float4>(2 * SliceQuads);
        int side = Group.DimX;
        int tile = side * MicroTile;
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int rowBase = Grid.IdxY * tile;
        int colBase = Grid.IdxX * tile;
        int split = Grid.IdxZ % args.Splits, product = Grid.IdxZ / args.Splits;
        int item = product / args.Heads, head = product - item * args.Heads;
        long aOffset = item * args.ItemStrideA + head * args.StrideA;
        long bOffset = item * args.ItemStrideB + head * args.StrideB;
        long cOffset = item * args.ItemStrideC + head * args.StrideC;
        int kBegin = split * args.KPerSplit;
        int kEnd = XMath.Min(args.K, kBegin + args.KPerSplit);
        // Element (x, p) of op(A) (x = row) and of op(B) (x = column) sits at x·xStride + p·pStride.
        long aRowStride = args.TransposeA != 0 ? 1 : args.Lda;
        long aDepthStride = args.TransposeA != 0 ? args.Lda : 1;
        long bColumnStride = args.TransposeB != 0 ? args.Ldb : 1;
        long bDepthStride = args.TransposeB != 0 ? 1 : args.Ldb;

        // row i of the micro-tile: C[rowBase + 4·ty + Owned(i), colBase + 4·tx + Owned(j)] for j < 8
        var row0 = default(Float8);
        var row1 = default(Float8);
        var row2 = default(Float8);
        var row3 = default(Float8);
        var row4 = default(Float8);
        var row5 = default(Float8);
        var row6 = default(Float8);
        var row7 = default(Float8);
        LoadSlice(a, args.VectorA, aOffset, aRowStride, aDepthStride, rowBase, args.M, kBegin, kEnd, aSlices, 0, tile);
        LoadSlice(b, args.VectorB, bOffset, bColumnStride, bDepthStride, colBase, args.N, kBegin, kEnd, bSlices, 0, tile);
        Group.Barrier();
        int current = 0;
        for (int k0 = kBegin; k0 < kEnd; k0 += KStep)
        {
            // Load the next step into the other buffer (last read before the previous barrier) while this one is used.
            int next = SliceQuads - current;
            if (k0 + KStep < kEnd)
            {
                LoadSlice(a, args.VectorA, aOffset, aRowStride, aDepthStride, rowBase, args.M, k0 + KStep, kEnd, aSlices, next, tile);
                LoadSlice(b, args.VectorB, bOffset, bColumnStride, bDepthStride, colBase, args.N, k0 + KStep, kEnd, bSlices, next, tile);
            }
            for (int kk = 0; kk < KStep; kk++)
            {
                // Two 128-bit loads per operand: the thread's quads tx and side + tx of the K row (ty and side + ty for A).
                int slice = current + kk * RowQuads;
                var bValues = new Float8(bSlices[slice + tx], bSlices[slice + side + tx]);
                var aValues = new Float8(aSlices[slice + ty], aSlices[slice + side + ty]);
                row0 = row0.MultiplyAdd(aValues.Low.X, bValues);
                row1 = row1.MultiplyAdd(aValues.Low.Y, bValues);
                row2 = row2.MultiplyAdd(aValues.Low.Z, bValues);
                row3 = row3.MultiplyAdd(aValues.Low.W, bValues);
                row4 = row4.MultiplyAdd(aValues.High.X, bValues);
                row5 = row5.MultiplyAdd(aValues.High.Y, bValues);
                row6 = row6.MultiplyAdd(aValues.High.Z, bValues);
                row7 = row7.MultiplyAdd(aValues.High.W, bValues);
            }
            Group.Barrier();
            current = next;
        }
        int row = rowBase + 4 * ty;
        int column = colBase + 4 * tx;
        if (args.Splits > 1)
        {
            // Split-K: leave this split's sums in the scratch; the tile's last group adds every split's, in split order.
            WritePartial(args, partials, split, row + Owned(0, side), column, side, row0);
            WritePartial(args, partials, split, row + Owned(1, side), column, side, row1);
            WritePartial(args, partials, split, row + Owned(2, side), column, side, row2);
            WritePartial(args, partials, split, row + Owned(3, side), column, side, row3);
            WritePartial(args, partials, split, row + Owned(4, side), column, side, row4);
            WritePartial(args, partials, split, row + Owned(5, side), column, side, row5);
            WritePartial(args, partials, split, row + Owned(6, side), column, side, row6);
            WritePartial(args, partials, split, row + Owned(7, side), column, side, row7);
            if (!GpuLastGroup.IsLast(ref counters[Grid.IdxY * Grid.DimX + Grid.IdxX], args.Splits))
            {
                return;
            }
            var partialBits = partials.Cast<int>();
            row0 = SumOfSplits(args, partialBits, row + Owned(0, side), column, side);
            row1 = SumOfSplits(args, partialBits, row + Owned(1, side), column, side);
            row2 = SumOfSplits(args, partialBits, row + Owned(2, side), column, side);
            row3 = SumOfSplits(args, partialBits, row + Owned(3, side), column, side);
            row4 = SumOfSplits(args, partialBits, row + Owned(4, side), column, side);
            row5 = SumOfSplits(args, partialBits, row + Owned(5, side), column, side);
            row6 = SumOfSplits(args, partialBits, row + Owned(6, side), column, side);
            row7 = SumOfSplits(args, partialBits, row + Owned(7, side), column, side);
        }
        StoreRow(args, c, bias, cOffset, row + Owned(0, side), column, side, row0);
        StoreRow(args, c, bias, cOffset, row + Owned(1, side), column, side, row1);
        StoreRow(args, c, bias, cOffset, row + Owned(2, side), column, side, row2);
        StoreRow(args, c, bias, cOffset, row + Owned(3, side), column, side, row3);
        StoreRow(args, c, bias, cOffset, row + Owned(4, side), column, side, row4);
        StoreRow(args, c, bias, cOffset, row + Owned(5, side), column, side, row5);
        StoreRow(args, c, bias, cOffset, row + Owned(6, side), column, side, row6);
        StoreRow(args, c, bias, cOffset, row + Owned(7, side), column, side, row7);
    }

    /// <summary>
    /// Where the j-th of a thread's 8 columns (or rows) lies from its first, 4·tx (4·ty): 0, 1, 2, 3, then 4s, …, 4s + 3
    /// (s = threads per side), the thread's quads tx and s + tx of a tile row.
    /// </summary>
    internal static int Owned(int j, int side) => j < 4 ? j : 4 * side + j - 4;

    /// <summary>
    /// The group copies elements (xBase + x, pBase + kk), x &lt; tile, kk &lt; KStep, of an operand into shared memory:
    /// quad first + kk·RowQuads + x/4 of <paramref name="slices"/> holds x .. x + 3 of depth kk, with zeros outside
    /// the matrix and from <paramref name="pEnd"/> on. Each thread copies 4×4 blocks (<see cref="SliceBlock"/>) with
    /// four quad loads along the operand's contiguous direction (<see cref="LoadQuad"/>) and four 128-bit shared
    /// stores; when the contiguous direction is the depth (op(A) = A, op(B) = Bᵀ) it transposes the block in registers.
    /// </summary>
    private static void LoadSlice(ArrayView<float> data, int vector, long offset, long xStride, long pStride,
        int xBase, int xCount, int pBase, int pEnd, ArrayView<Float4> slices, int first, int tile)
    {
        int threads = Group.DimX * Group.DimY;
        for (int block = Group.IdxY * Group.DimX + Group.IdxX; block < tile * KStep / 16; block += threads)
        {
            var (x, kk) = SliceBlock(block, tile);
            int globalX = xBase + x;
            int globalP = pBase + kk;
            int at = first + kk * RowQuads + x / 4;
            if (pStride == 1)
            {
                // Quad r is row x + r at depths kk .. kk + 3; the slice wants depth kk + q of rows x .. x + 3.
                var x0 = LoadQuad(data, vector, offset, xStride, pStride, globalX, xCount, globalP, pEnd, 0, 1);
                var x1 = LoadQuad(data, vector, offset, xStride, pStride, globalX + 1, xCount, globalP, pEnd, 0, 1);
                var x2 = LoadQuad(data, vector, offset, xStride, pStride, globalX + 2, xCount, globalP, pEnd, 0, 1);
                var x3 = LoadQuad(data, vector, offset, xStride, pStride, globalX + 3, xCount, globalP, pEnd, 0, 1);
                slices[at] = new Float4(x0.X, x1.X, x2.X, x3.X);
                slices[at + RowQuads] = new Float4(x0.Y, x1.Y, x2.Y, x3.Y);
                slices[at + 2 * RowQuads] = new Float4(x0.Z, x1.Z, x2.Z, x3.Z);
                slices[at + 3 * RowQuads] = new Float4(x0.W, x1.W, x2.W, x3.W);
            }
            else
            {
                // Quad r is depth kk + r of rows x .. x + 3: already the slice's layout.
                slices[at] = LoadQuad(data, vector, offset, xStride, pStride, globalX, xCount, globalP, pEnd, 1, 0);
                slices[at + RowQuads] = LoadQuad(data, vector, offset, xStride, pStride, globalX, xCount, globalP + 1, pEnd, 1, 0);
                slices[at + 2 * RowQuads] = LoadQuad(data, vector, offset, xStride, pStride, globalX, xCount, globalP + 2, pEnd, 1, 0);
                slices[at + 3 * RowQuads] = LoadQuad(data, vector, offset, xStride, pStride, globalX, xCount, globalP + 3, pEnd, 1, 0);
            }
        }
    }

    /// <summary>
    /// The 4×4 block number <paramref name="block"/> of a [KStep, tile] slice: its first x and depth, both multiples
    /// of 4. Blocks run along x first, so a warp's 32 threads cover two K rows of 16 blocks (64×64 tiles).
    /// </summary>
    internal static (int X, int Depth) SliceBlock(int block, int tile) => (4 * (block % (tile / 4)), 4 * (block / (tile / 4)));

    /// <summary>
    /// Elements (x + q·dx, p + q·dp), q &lt; 4, of an operand whose element (x, p) sits at offset + x·xStride + p·pStride,
    /// with zeros outside x &lt; xCount, p &lt; pEnd. (dx, dp) is the contiguous direction, (1, 0) or (0, 1), so the four
    /// are consecutive floats. When <paramref name="vector"/> is 1 (every quad of the operand starts at a multiple of
    /// 16 bytes: see <see cref="QuadAligned"/>) a quad wholly inside is one 128-bit load; at the edges, and for
    /// operands that are not aligned, it is four guarded 32-bit loads.
    /// </summary>
    private static Float4 LoadQuad(ArrayView<float> data, int vector, long offset, long xStride, long pStride,
        int x, int xCount, int p, int pEnd, int dx, int dp)
    {
        long at = offset + x * xStride + p * pStride;
        if (vector != 0 && x + 3 * dx < xCount && p + 3 * dp < pEnd)
        {
            return data.Cast<Float4>()[at / 4];
        }
        return new Float4(
            x < xCount && p < pEnd ? data[at] : 0f,
            x + dx < xCount && p + dp < pEnd ? data[at + 1] : 0f,
            x + 2 * dx < xCount && p + 2 * dp < pEnd ? data[at + 2] : 0f,
            x + 3 * dx < xCount && p + 3 * dp < pEnd ? data[at + 3] : 0f);
    }

    /// <summary>
    /// partials[split, row, column + Owned(j)] = sums (j &lt; 8) for the elements inside C ([splits, M, N], dense, at the
    /// start of the scratch buffer: its quads are 16-byte aligned when N is a multiple of 4, and then a quad wholly
    /// inside C is one 128-bit store).
    /// </summary>
    private static void WritePartial(GemmArguments args, ArrayView<float> partials, int split, int row, int column, int side, Float8 sums)
    {
        if (row >= args.M)
        {
            return;
        }
        long rowStart = ((long)split * args.M + row) * args.N;
        WritePartialQuad(args, partials, rowStart, column, sums.Low);
        WritePartialQuad(args, partials, rowStart, column + 4 * side, sums.High);
    }

    private static void WritePartialQuad(GemmArguments args, ArrayView<float> partials, long rowStart, int column, Float4 sums)
    {
        if (args.N % 4 == 0 && column + 3 < args.N)
        {
            partials.Cast<Float4>()[(rowStart + column) / 4] = sums;
            return;
        }
        for (int q = 0; q < 4; q++)
        {
            if (column + q < args.N)
            {
                partials[rowStart + column + q] = sums[q];
            }
        }
    }

    /// <summary>Σ over splits, in split order, of partials[split, row, column + Owned(j)] (j &lt; 8; 0 outside C).</summary>
    private static Float8 SumOfSplits(GemmArguments args, ArrayView<int> partialBits, int row, int column, int side)
    {
        var sums = default(Float8);
        if (row >= args.M)
        {
            return sums;
        }
        for (int split = 0; split < args.Splits; split++)
        {
            long rowStart = ((long)split * args.M + row) * args.N;
            sums = sums.Add(new Float8(ReadPartialQuad(args, partialBits, rowStart, column), ReadPartialQuad(args, partialBits, rowStart, column + 4 * side)));
        }
        return sums;
    }

    /// <summary>partials[rowStart + column + q], q &lt; 4, read through the device-wide cache (<see cref="GpuLastGroup.Read"/>); 0 outside C.</summary>
    private static Float4 ReadPartialQuad(GemmArguments args, ArrayView<int> partialBits, long rowStart, int column) => new(
        column < args.N ? GpuLastGroup.Read(partialBits, rowStart + column) : 0f,
        column + 1 < args.N ? GpuLastGroup.Read(partialBits, rowStart + column + 1) : 0f,
        column + 2 < args.N ? GpuLastGroup.Read(partialBits, rowStart + column + 2) : 0f,
        column + 3 < args.N ? GpuLastGroup.Read(partialBits, rowStart + column + 3) : 0f);

    /// <summary>Writes C[row, column + Owned(j)] = alpha·sum + beta·C (+ bias[column + Owned(j)]) (j &lt; 8) for the elements inside C.</summary>
    private static void StoreRow(GemmArguments args, ArrayView<float> c, ArrayView<float> bias, long offset, int row, int column, int side, Float8 sums)
    {
        if (row >= args.M)
        {
            return;
        }
        long rowStart = offset + (long)row * args.Ldc;
        StoreQuad(args, c, bias, rowStart, column, sums.Low);
        StoreQuad(args, c, bias, rowStart, column + 4 * side, sums.High);
    }

    /// <summary>
    /// C[row, column + q] = alpha·sums[q] + beta·C (+ bias[column + q]), q &lt; 4, for the elements inside C, C's row
    /// starting at <paramref name="rowStart"/>. When C and the bias are 16-byte aligned (<see cref="GemmArguments.VectorC"/>)
    /// and the quad lies inside C, C and the bias are read and C written with 128-bit accesses.
    /// </summary>
    private static void StoreQuad(GemmArguments args, ArrayView<float> c, ArrayView<float> bias, long rowStart, int column, Float4 sums)
    {
        // As on the CPU, beta = 0 ignores whatever C held (even NaN); the bias is added last, as LinearKernels does.
        if (args.VectorC != 0 && column + 3 < args.N)
        {
            var quads = c.Cast<Float4>();
            long at = (rowStart + column) / 4;
            var previous = args.Beta == 0f ? default : quads[at].Scale(args.Beta);
            var values = previous.MultiplyAdd(args.Alpha, sums);
            quads[at] = args.HasBias != 0 ? values.Add(bias.Cast<Float4>()[column / 4]) : values;
            return;
        }
        for (int q = 0; q < 4; q++)
        {
            if (column + q < args.N)
            {
                float previous = args.Beta == 0f ? 0f : args.Beta * c[rowStart + column + q];
                float value = args.Alpha * sums[q] + previous;
                c[rowStart + column + q] = args.HasBias != 0 ? value + bias[column + q] : value;
            }
        }
    }

    private static void CheckOperand(string name, ArrayView<float> view, int rows, int columns, int ld, long headStride, int heads,
        long itemStride, int items)
    {
        if (ld < columns || ld < 1)
        {
            throw new ArgumentException($"GEMM: leading dimension {ld} of {name} is smaller than its {columns} columns.");
        }
        if (rows == 0 || columns == 0 || heads == 0 || items == 0)
        {
            return;
        }
        long needed = (items - 1) * itemStride + (heads - 1) * headStride + (long)(rows - 1) * ld + columns;
        if (headStride < 0 || itemStride < 0 || needed > view.Length)
        {
            throw new ArgumentException($"GEMM: {name} needs {needed} elements ([{rows}, {columns}] with ld {ld}, {items} × {heads} matrices, " +
                $"strides {itemStride} and {headStride}) but its view has {view.Length}.");
        }
    }
}

/// <summary>The shape and scalars of one (batched) GEMM, passed to the kernel by value. Flags are 0/1 ints.</summary>
internal struct GemmArguments
{
    public int TransposeA;
    public int TransposeB;
    public int M;
    public int N;
    public int K;
    public float Alpha;
    public float Beta;
    public int Lda;
    public int Ldb;
    public int Ldc;
    public long StrideA;
    public long StrideB;
    public long StrideC;
    public int Heads;
    public long ItemStrideA;
    public long ItemStrideB;
    public long ItemStrideC;
    public int HasBias;
    public int Splits;
    public int KPerSplit;

    /// <summary>1 when the operand's quads are 16-byte aligned (<see cref="GpuGemm.QuadAligned"/>): 128-bit global loads.</summary>
    public int VectorA;
    public int VectorB;

    /// <summary>1 when C's quads and the bias are 16-byte aligned: 128-bit reads and writes of C in the epilogue.</summary>
    public int VectorC;
}

/// <summary>
/// Four floats held in registers, or one 16-byte quad of a view: an <c>ArrayView&lt;Float4&gt;</c> (a shared slice, or a
/// float view cast to quads) is read and written with 128-bit instructions (<c>ld.v4.f32</c> / <c>st.v4.f32</c> in PTX).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct Float4(float x, float y, float z, float w)
{
    public float X { get; } = x;
    public float Y { get; } = y;
    public float Z { get; } = z;
    public float W { get; } = w;

    /// <summary>this + a·b, element by element.</summary>
    public Float4 MultiplyAdd(float a, Float4 b) => new(X + a * b.X, Y + a * b.Y, Z + a * b.Z, W + a * b.W);

    /// <summary>a·this, element by element.</summary>
    public Float4 Scale(float a) => new(a * X, a * Y, a * Z, a * W);

    public Float4 Add(Float4 b) => new(X + b.X, Y + b.Y, Z + b.Z, W + b.W);

    /// <summary>Element <paramref name="i"/>; meant for loops over q &lt; 4 that the compiler unrolls.</summary>
    public float this[int i] => i == 0 ? X : i == 1 ? Y : i == 2 ? Z : W;
}

/// <summary>
/// Eight floats held in registers, as two quads: one row of a GEMM thread's 8×8 micro-tile (element j is column
/// 4·tx + <see cref="GpuGemm.Owned"/>(j) of the tile), or the eight shared values one K step multiplies it with.
/// </summary>
internal readonly struct Float8(Float4 low, Float4 high)
{
    public Float4 Low { get; } = low;
    public Float4 High { get; } = high;

    /// <summary>this + a·b, element by element.</summary>
    public Float8 MultiplyAdd(float a, Float8 b) => new(Low.MultiplyAdd(a, b.Low), High.MultiplyAdd(a, b.High));

    public Float8 Add(Float8 b) => new(Low.Add(b.Low), High.Add(b.High));
}

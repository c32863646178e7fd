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
/// shared-memory traffic per multiply-add). A thread owns rows ty + i·s and columns tx + j·s (i, j &lt; 8), so
/// neighbouring threads touch neighbouring columns: global writes coalesce and shared reads hit distinct banks.
/// </para>
/// <para>
/// Shared slices have rows of <see cref="SliceStride"/> = 65 floats, not 64: when the depth is the contiguous
/// direction (op(A) = X, op(B) = Wᵀ, as in every X·Wᵀ) consecutive threads store down a slice's column, 65 floats
/// apart, which falls in 32 different banks (64 apart would be one bank, a 16-way conflict). There are two slices per
/// operand: while the group multiplies one, it loads the next K step into the other (one barrier per step).
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

    /// <summary>Floats per K row of a shared slice: one more than a tile row, so that column-wise stores spread over the banks.</summary>
    private const int SliceStride = MaxTile + 1;

    /// <summary>Floats in one shared slice ([KStep, SliceStride]).</summary>
    private const int SliceLength = KStep * SliceStride;

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
        };
        var config = new KernelConfig(new Index3D(tiles.X, tiles.Y, items * heads * splits), new Index3D(side, side, 1));
        var partials = splits > 1 ? device.Scratch((long)splits * m * n) : default;
        device.Kernels.Gemm(config, arguments, a, b, c, bias, partials, device.GroupCounters);
    }

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
        // Slice buffer f of each operand starts at f·SliceLength:
        // aSlices[f·SliceLength + kk·SliceStride + i] = op(A)[rowBase + i, k0 + kk]; likewise bSlices with op(B)[k0 + kk, colBase + j].
        var aSlices = SharedMemory.Allocate<float>(2 * SliceLength);
        var bSlices = SharedMemory.Allocate<float>(2 * SliceLength);
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

        // row i of the micro-tile: C[rowBase + ty + i·side, colBase + tx + j·side] for j < 8
        var row0 = default(Float8);
        var row1 = default(Float8);
        var row2 = default(Float8);
        var row3 = default(Float8);
        var row4 = default(Float8);
        var row5 = default(Float8);
        var row6 = default(Float8);
        var row7 = default(Float8);
        LoadSlice(a, aOffset, aRowStride, aDepthStride, rowBase, args.M, kBegin, kEnd, aSlices, 0, tile);
        LoadSlice(b, bOffset, bColumnStride, bDepthStride, colBase, args.N, kBegin, kEnd, bSlices, 0, tile);
        Group.Barrier();
        int current = 0;
        for (int k0 = kBegin; k0 < kEnd; k0 += KStep)
        {
            // Load the next step into the other buffer (last read before the previous barrier) while this one is used.
            int next = SliceLength - current;
            if (k0 + KStep < kEnd)
            {
                LoadSlice(a, aOffset, aRowStride, aDepthStride, rowBase, args.M, k0 + KStep, kEnd, aSlices, next, tile);
                LoadSlice(b, bOffset, bColumnStride, bDepthStride, colBase, args.N, k0 + KStep, kEnd, bSlices, next, tile);
            }
            for (int kk = 0; kk < KStep; kk++)
            {
                int slice = current + kk * SliceStride;
                var bValues = Float8.Load(bSlices, slice + tx, side);
                var aValues = Float8.Load(aSlices, slice + ty, side);
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
        int row = rowBase + ty;
        int column = colBase + tx;
        if (args.Splits > 1)
        {
            // Split-K: leave this split's sums in the scratch; the tile's last group adds every split's, in split order.
            WritePartial(args, partials, split, row, column, side, row0);
            WritePartial(args, partials, split, row + side, column, side, row1);
            WritePartial(args, partials, split, row + 2 * side, column, side, row2);
            WritePartial(args, partials, split, row + 3 * side, column, side, row3);
            WritePartial(args, partials, split, row + 4 * side, column, side, row4);
            WritePartial(args, partials, split, row + 5 * side, column, side, row5);
            WritePartial(args, partials, split, row + 6 * side, column, side, row6);
            WritePartial(args, partials, split, row + 7 * side, column, side, row7);
            if (!GpuLastGroup.IsLast(ref counters[Grid.IdxY * Grid.DimX + Grid.IdxX], args.Splits))
            {
                return;
            }
            var partialBits = partials.Cast<int>();
            row0 = SumOfSplits(args, partialBits, row, column, side);
            row1 = SumOfSplits(args, partialBits, row + side, column, side);
            row2 = SumOfSplits(args, partialBits, row + 2 * side, column, side);
            row3 = SumOfSplits(args, partialBits, row + 3 * side, column, side);
            row4 = SumOfSplits(args, partialBits, row + 4 * side, column, side);
            row5 = SumOfSplits(args, partialBits, row + 5 * side, column, side);
            row6 = SumOfSplits(args, partialBits, row + 6 * side, column, side);
            row7 = SumOfSplits(args, partialBits, row + 7 * side, column, side);
        }
        StoreRow(args, c, bias, cOffset, row, column, side, row0);
        StoreRow(args, c, bias, cOffset, row + side, column, side, row1);
        StoreRow(args, c, bias, cOffset, row + 2 * side, column, side, row2);
        StoreRow(args, c, bias, cOffset, row + 3 * side, column, side, row3);
        StoreRow(args, c, bias, cOffset, row + 4 * side, column, side, row4);
        StoreRow(args, c, bias, cOffset, row + 5 * side, column, side, row5);
        StoreRow(args, c, bias, cOffset, row + 6 * side, column, side, row6);
        StoreRow(args, c, bias, cOffset, row + 7 * side, column, side, row7);
    }

    /// <summary>
    /// The group copies elements (xBase + x, pBase + kk), x &lt; tile, kk &lt; KStep, of an operand into
    /// slices[first + kk·SliceStride + x], writing zeros outside the matrix and from <paramref name="pEnd"/> on.
    /// Consecutive threads read consecutive addresses: along p when p is the contiguous direction, along x otherwise.
    /// </summary>
    private static void LoadSlice(ArrayView<float> data, long offset, long xStride, long pStride,
        int xBase, int xCount, int pBase, int pEnd, ArrayView<float> slices, int first, int tile)
    {
        int threads = Group.DimX * Group.DimY;
        bool depthContiguous = pStride == 1;
        for (int e = Group.IdxY * Group.DimX + Group.IdxX; e < tile * KStep; e += threads)
        {
            int x = depthContiguous ? e / KStep : e % tile;
            int kk = depthContiguous ? e % KStep : e / tile;
            int globalX = xBase + x;
            int globalP = pBase + kk;
            slices[first + kk * SliceStride + x] = globalX < xCount && globalP < pEnd
                ? data[offset + globalX * xStride + globalP * pStride]
                : 0f;
        }
    }

    /// <summary>partials[split, row, column + j·side] = sums (j &lt; 8) for the elements inside C ([splits, M, N], dense).</summary>
    private static void WritePartial(GemmArguments args, ArrayView<float> partials, int split, int row, int column, int side, Float8 sums)
    {
        if (row >= args.M)
        {
            return;
        }
        long rowStart = ((long)split * args.M + row) * args.N;
        for (int j = 0; j < MicroTile; j++)
        {
            if (column + j * side < args.N)
            {
                partials[rowStart + column + j * side] = sums[j];
            }
        }
    }

    /// <summary>Σ over splits, in split order, of partials[split, row, column + j·side] (j &lt; 8; 0 outside C).</summary>
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
            var values = default(Float8);
            for (int j = 0; j < MicroTile; j++)
            {
                values = values.With(j, column + j * side < args.N ? GpuLastGroup.Read(partialBits, rowStart + column + j * side) : 0f);
            }
            sums = sums.Add(values);
        }
        return sums;
    }

    /// <summary>Writes C[row, column + j·side] = alpha·sum + beta·C (+ bias[column + j·side]) (j &lt; 8) for the elements inside C.</summary>
    private static void StoreRow(GemmArguments args, ArrayView<float> c, ArrayView<float> bias, long offset, int row, int column, int side, Float8 sums)
    {
        if (row >= args.M)
        {
            return;
        }
        long rowStart = offset + (long)row * args.Ldc;
        for (int j = 0; j < MicroTile; j++)
        {
            int at = column + j * side;
            if (at < args.N)
            {
                // As on the CPU, beta = 0 ignores whatever C held (even NaN); the bias is added last, as LinearKernels does.
                float previous = args.Beta == 0f ? 0f : args.Beta * c[rowStart + at];
                float value = args.Alpha * sums[j] + previous;
                c[rowStart + at] = args.HasBias != 0 ? value + bias[at] : value;
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
}

/// <summary>Four floats held in registers.</summary>
internal readonly struct Float4(float x, float y, float z, float w)
{
    public float X { get; } = x;
    public float Y { get; } = y;
    public float Z { get; } = z;
    public float W { get; } = w;

    /// <summary>this + a·b, element by element.</summary>
    public Float4 MultiplyAdd(float a, Float4 b) => new(X + a * b.X, Y + a * b.Y, Z + a * b.Z, W + a * b.W);

    public Float4 Add(Float4 b) => new(X + b.X, Y + b.Y, Z + b.Z, W + b.W);

    public float this[int i] => i == 0 ? X : i == 1 ? Y : i == 2 ? Z : W;

    /// <summary>A copy with element <paramref name="i"/> replaced.</summary>
    public Float4 With(int i, float value) => new(i == 0 ? value : X, i == 1 ? value : Y, i == 2 ? value : Z, i == 3 ? value : W);
}

/// <summary>
/// Eight floats held in registers: one row of a GEMM thread's 8×8 micro-tile (elements j = 0..7 are the columns
/// tx + j·side), or the eight shared values one K step multiplies it with. Indexing by a loop counter is meant for
/// loops the compiler unrolls (MicroTile is a constant).
/// </summary>
internal readonly struct Float8(Float4 low, Float4 high)
{
    public Float4 Low { get; } = low;
    public Float4 High { get; } = high;

    /// <summary>values[first + j·stride], j &lt; 8.</summary>
    public static Float8 Load(ArrayView<float> values, int first, int stride) => new(
        new Float4(values[first], values[first + stride], values[first + 2 * stride], values[first + 3 * stride]),
        new Float4(values[first + 4 * stride], values[first + 5 * stride], values[first + 6 * stride], values[first + 7 * stride]));

    /// <summary>this + a·b, element by element.</summary>
    public Float8 MultiplyAdd(float a, Float8 b) => new(Low.MultiplyAdd(a, b.Low), High.MultiplyAdd(a, b.High));

    public Float8 Add(Float8 b) => new(Low.Add(b.Low), High.Add(b.High));

    public float this[int j] => j < 4 ? Low[j] : High[j - 4];

    /// <summary>A copy with element <paramref name="j"/> replaced.</summary>
    public Float8 With(int j, float value) => j < 4 ? new(Low.With(j, value), High) : new(Low, High.With(j - 4, value));
}

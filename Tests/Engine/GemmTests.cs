using MiniBioBert.Engine.Cpu;

namespace MiniBioBert.Tests.Engine;

/// <summary>
/// Holds the packed <see cref="Gemm"/> equal to <see cref="GemmReference"/> (double accumulation) within float32 rounding.
/// </summary>
/// <remarks>
/// Tolerance, per element: |C − C_ref| ≤ (k + 4) · ε · (|alpha| · Σₚ |op(A)[i,p]| · |op(B)[p,j]| + |beta| · |C₀[i,j]|),
/// with ε = 2⁻²³ (float32 machine epsilon). A float32 sum of k products, each step one fused multiply-add, is off by at
/// most k · u · Σ|a||b| (u = ε/2 the unit roundoff; Higham, "Accuracy and Stability of Numerical Algorithms", §3.1);
/// scaling by alpha and beta and the final add cost a few more roundings. Using ε instead of u leaves a factor 2 of margin.
/// This worst-case bound cannot fail on a correct kernel, and any indexing bug shows up as an error of order |C| itself.
/// </remarks>
public unsafe class GemmTests
{
    private unsafe delegate void GemmFunction(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    private static readonly int[] OddM = [1, 7, 13, 67, 131];
    private static readonly int[] OddN = [1, 5, 17, 33, 129];
    private static readonly int[] OddK = [1, 3, 31, 257];

    private static IEnumerable<TestCaseData> Transposes()
    {
        foreach (bool transposeA in new[] { false, true })
        {
            foreach (bool transposeB in new[] { false, true })
            {
                yield return new TestCaseData(transposeA, transposeB);
            }
        }
    }

    [TestCaseSource(nameof(Transposes))]
    public void OddSizesMatchReference(bool transposeA, bool transposeB)
    {
        foreach (int m in OddM)
        {
            foreach (int n in OddN)
            {
                foreach (int k in OddK)
                {
                    CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, m, n, k, alpha: 1f, beta: 0f, padding: 0);
                }
            }
        }
    }

    [TestCaseSource(nameof(Transposes))]
    public void AlphaBetaVariantsMatchReference(bool transposeA, bool transposeB)
    {
        (float Alpha, float Beta)[] variants = [(0.5f, 1f), (-2f, 0.25f), (1f, -1f), (0f, 2f), (0f, 0f)];
        foreach (var (alpha, beta) in variants)
        {
            CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 13, 33, 31, alpha, beta, padding: 0);
            CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 67, 17, 257, alpha, beta, padding: 0);
        }
    }

    [TestCaseSource(nameof(Transposes))]
    public void LooseLeadingDimensionsMatchReferenceAndLeaveGapsAlone(bool transposeA, bool transposeB)
    {
        CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 13, 17, 31, 1f, 0f, padding: 3);
        CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 67, 129, 3, 0.5f, 1f, padding: 5);
    }

    [TestCaseSource(nameof(Transposes))]
    public void LargeProductsUseAllBlockLevelsAndThreads(bool transposeA, bool transposeB)
    {
        // 301 · 270 · 600 is above the parallel threshold and spans 3 slices of k (KC = 256) and partial work tiles.
        CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 301, 270, 600, 1f, 1f, padding: 1);
        // Wider than tall: the threads take column bands of C instead of row bands.
        CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 37, 301, 200, 1f, 1f, padding: 2);
        // A long side (3100 rows): three row bands, more than one per thread on two cores.
        CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 3100, 9, 80, 1f, 0f, padding: 0);
        // n > NC (4096) and m > MC (144): several outer column and row blocks.
        CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 5, 4100, 7, 1f, 0f, padding: 0);
        CheckAgainstReference(Gemm.Multiply, transposeA, transposeB, 4100, 3, 2, 1f, 0f, padding: 0);
    }

    private static IEnumerable<TestCaseData> KernelsAndTransposes()
    {
        foreach (GemmKernelKind kernel in Enum.GetValues<GemmKernelKind>())
        {
            foreach (TestCaseData transposes in Transposes())
            {
                yield return new TestCaseData(kernel, transposes.Arguments[0], transposes.Arguments[1]);
            }
        }
    }

    /// <summary>
    /// Every micro-kernel, not only the machine's best (which the tests above use): the AVX2 kernel still runs on an
    /// AVX-512 machine, and the portable one everywhere. A kernel the machine lacks is skipped.
    /// </summary>
    [TestCaseSource(nameof(KernelsAndTransposes))]
    public void EveryKernelMatchesReference(GemmKernelKind kernel, bool transposeA, bool transposeB)
    {
        if (!GemmMicroKernel.IsSupported(kernel))
        {
            Assert.Ignore($"this machine cannot run the {kernel} kernel");
        }
        GemmFunction withKernel = (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
            GemmDriver.Run(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel: true, kernel);
        CheckAgainstReference(withKernel, transposeA, transposeB, 13, 33, 31, 1f, 0f, padding: 0);
        CheckAgainstReference(withKernel, transposeA, transposeB, 67, 17, 257, -0.5f, 1f, padding: 2);
        CheckAgainstReference(withKernel, transposeA, transposeB, 301, 270, 600, 1f, 1f, padding: 1);
    }

    /// <summary>
    /// The AVX-512 and AVX2 kernels add the same products in the same order into each element of C (one fused
    /// multiply-add per step of k), so they agree to the bit: a run's losses do not depend on which one the machine has.
    /// </summary>
    [TestCaseSource(nameof(Transposes))]
    public void Avx512AndAvx2KernelsAgreeToTheBit(bool transposeA, bool transposeB)
    {
        if (!GemmMicroKernel.IsSupported(GemmKernelKind.Avx512))
        {
            Assert.Ignore("this machine cannot run the Avx512 kernel");
        }
        const int M = 67, N = 75, K = 300;
        var random = new Random(7);
        float[] a = RandomValues(random, M * K), b = RandomValues(random, K * N), c0 = RandomValues(random, M * N);
        float[] wide = (float[])c0.Clone(), narrow = (float[])c0.Clone();
        int lda = transposeA ? M : K, ldb = transposeB ? K : N;
        fixed (float* pa = a, pb = b, pWide = wide, pNarrow = narrow)
        {
            GemmDriver.Run(transposeA, transposeB, M, N, K, 0.5f, pa, lda, pb, ldb, 1f, pWide, N, parallel: true, GemmKernelKind.Avx512);
            GemmDriver.Run(transposeA, transposeB, M, N, K, 0.5f, pa, lda, pb, ldb, 1f, pNarrow, N, parallel: true, GemmKernelKind.Avx2);
        }
        Assert.That(wide, Is.EqualTo(narrow));
    }

    private static IEnumerable<TestCaseData> KernelsAndShapes()
    {
        foreach (GemmKernelKind kernel in Enum.GetValues<GemmKernelKind>())
        {
            // Edge tiles only; one k slice; three k slices (KC = 256) in parallel row bands; column bands; k = 0.
            yield return new TestCaseData(kernel, false, true, 13, 33, 31, 0f);
            yield return new TestCaseData(kernel, false, true, 67, 129, 256, 0f);
            yield return new TestCaseData(kernel, true, false, 301, 270, 600, 1f);
            yield return new TestCaseData(kernel, false, true, 37, 4100, 40, 0f);
            yield return new TestCaseData(kernel, false, false, 5, 7, 0, 0.5f);
        }
    }

    /// <summary>
    /// The bias epilogue adds bias[j] as the last k slice writes the tile: to the bit what the product followed by a
    /// separate pass adding the bias gives (one rounding of the same two floats either way), for every kernel.
    /// </summary>
    [TestCaseSource(nameof(KernelsAndShapes))]
    public void BiasInTheWriteBackEqualsASeparatePassToTheBit(GemmKernelKind kernel, bool transposeA, bool transposeB, int m, int n, int k, float beta)
    {
        if (!GemmMicroKernel.IsSupported(kernel))
        {
            Assert.Ignore($"this machine cannot run the {kernel} kernel");
        }
        var random = new Random(m + n + k);
        float[] a = RandomValues(random, Math.Max(1, m * k)), b = RandomValues(random, Math.Max(1, k * n));
        float[] bias = RandomValues(random, n), c0 = RandomValues(random, m * n);
        float[] fused = (float[])c0.Clone(), separate = (float[])c0.Clone();
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        fixed (float* pa = a, pb = b, pBias = bias, pFused = fused, pSeparate = separate)
        {
            GemmDriver.Run(transposeA, transposeB, m, n, k, 0.5f, pa, Math.Max(1, lda), pb, Math.Max(1, ldb), beta, pFused, n,
                parallel: true, kernel, columnBias: pBias);
            GemmDriver.Run(transposeA, transposeB, m, n, k, 0.5f, pa, Math.Max(1, lda), pb, Math.Max(1, ldb), beta, pSeparate, n,
                parallel: true, kernel);
        }
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                separate[i * n + j] += bias[j];
            }
        }
        Assert.That(fused, Is.EqualTo(separate));
    }

    [Test]
    public void ZeroDepthScalesCWithoutReadingGarbage()
    {
        float[] c = [float.NaN, float.NaN, 3f, 4f];
        fixed (float* pc = c)
        {
            Gemm.Multiply(false, false, 1, 2, 0, 1f, null, 1, null, 2, 0f, pc, 2);
            Gemm.Multiply(false, false, 1, 2, 0, 1f, null, 1, null, 2, 2f, pc + 2, 2);
        }
        Assert.That(c, Is.EqualTo(new[] { 0f, 0f, 6f, 8f }));
    }

    [Test]
    public void EmptyProductsWriteNothing()
    {
        float[] c = [7f];
        fixed (float* pc = c)
        {
            Gemm.Multiply(false, false, 0, 1, 5, 1f, null, 5, null, 1, 0f, pc, 1);
            Gemm.Multiply(false, false, 1, 0, 5, 1f, null, 5, null, 1, 0f, pc, 1);
        }
        Assert.That(c[0], Is.EqualTo(7f));
    }

    [TestCaseSource(nameof(Transposes))]
    public void BatchedMatchesReference(bool transposeA, bool transposeB)
    {
        // Small products over many threads (32 · 40 · 24 · 64 multiply-adds is above the parallel threshold)
        // and a short batch of larger ones, run one after the other.
        CheckBatched(transposeA, transposeB, 32, 40, 24, 64, beta: 0f);
        CheckBatched(transposeA, transposeB, 3, 131, 129, 130, beta: 1f);
    }

    [Test]
    public void InvalidShapesThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, -1, 1, 1, 1f, null, 1, null, 1, 0f, null, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, 3, 4, 1f, null, 3, null, 3, 0f, null, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, true, 2, 3, 4, 1f, null, 4, null, 3, 0f, null, 3));
    }

    /// <summary>
    /// Runs <paramref name="gemm"/> and the reference on the same random operands and compares within the bound above.
    /// Stored rows are <paramref name="padding"/> floats longer than needed; the gaps in C must stay untouched.
    /// </summary>
    private static void CheckAgainstReference(GemmFunction gemm, bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, float beta, int padding)
    {
        var random = new Random(m * 1_000_003 + n * 1009 + k);
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        int lda = aCols + padding, ldb = bCols + padding, ldc = n + padding;
        float[] a = RandomValues(random, Math.Max(1, aRows * lda));
        float[] b = RandomValues(random, Math.Max(1, bRows * ldb));
        float[] c0 = RandomValues(random, m * ldc);
        if (beta == 0f)
        {
            // C must not be read when beta is 0: NaN would propagate if it were.
            Array.Fill(c0, float.NaN);
        }
        float[] actual = (float[])c0.Clone(), expected = (float[])c0.Clone();
        fixed (float* pa = a, pb = b, pActual = actual, pExpected = expected)
        {
            gemm(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pActual, ldc);
            GemmReference.Multiply(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pExpected, ldc);
        }
        float epsilon = MathF.Pow(2, -23);
        string shape = $"transposeA={transposeA} transposeB={transposeB} m={m} n={n} k={k} alpha={alpha} beta={beta} padding={padding}";
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int index = i * ldc + j;
                if (j >= n)
                {
                    Assert.That(BitConverter.SingleToInt32Bits(actual[index]), Is.EqualTo(BitConverter.SingleToInt32Bits(c0[index])),
                        $"gap C[{i},{j}] was written; {shape}");
                    continue;
                }
                double magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    float aValue = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    magnitude += Math.Abs((double)aValue * bValue);
                }
                double scale = Math.Abs(alpha) * magnitude + (beta == 0f ? 0 : Math.Abs(beta * c0[index]));
                double tolerance = (k + 4) * epsilon * scale;
                Assert.That(actual[index], Is.EqualTo(expected[index]).Within(tolerance), $"C[{i},{j}]; {shape}");
            }
        }
    }

    private static void CheckBatched(bool transposeA, bool transposeB, int batch, int m, int n, int k, float beta)
    {
        var random = new Random(batch + m + n + k);
        int aSize = m * k, bSize = k * n, cSize = m * n;
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        float[] a = RandomValues(random, batch * aSize), b = RandomValues(random, batch * bSize);
        float[] actual = RandomValues(random, batch * cSize), expected = (float[])actual.Clone();
        fixed (float* pa = a, pb = b, pActual = actual, pExpected = expected)
        {
            Gemm.MultiplyBatched(transposeA, transposeB, m, n, k, 1f, pa, lda, aSize, pb, ldb, bSize, beta, pActual, n, cSize, batch);
            for (int i = 0; i < batch; i++)
            {
                GemmReference.Multiply(transposeA, transposeB, m, n, k, 1f, pa + i * aSize, lda, pb + i * bSize, ldb,
                    beta, pExpected + i * cSize, n);
            }
        }
        // Operands lie in [-1, 1], so Σ|a||b| ≤ k and |C₀| ≤ 1: the bound of the remarks with those maxima.
        double tolerance = (k + 4) * MathF.Pow(2, -23) * (k + 1);
        Assert.That(actual, Is.EqualTo(expected).Within(tolerance));
    }

    private static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return values;
    }
}

using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>Elementwise arithmetic with suffix broadcasting, column sums and the sum of squares.</summary>
[Category("Gpu")]
public class GpuElementwiseTests
{
    private const int Rows = 7, Columns = 13;

    [Test]
    public void AddScaledBroadcastsTheSuffixAndAccumulatesInPlace()
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(1);
        var a = GpuTesting.Uniform(random, Rows * Columns);
        var b = GpuTesting.Uniform(random, Columns);
        var expected = new float[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            expected[i] = a[i] - 1f * b[i % Columns];
        }
        using var deviceA = device.Upload<float>(a);
        using var deviceB = device.Upload<float>(b);
        using var y = device.Allocate<float>(a.Length);
        GpuElementwise.AddScaled(device, deviceA.View, deviceB.View, -1f, y.View);
        GpuTesting.AssertClose(device.Download<float>(y.View), expected, "a − b");

        // dx += 0.5·dy, in place (y aliases a).
        for (int i = 0; i < a.Length; i++)
        {
            expected[i] += 0.5f * a[i];
        }
        GpuElementwise.AddScaled(device, y.View, deviceA.View, 0.5f, y.View);
        GpuTesting.AssertClose(device.Download<float>(y.View), expected, "y += 0.5·a");
    }

    [Test]
    public void MultiplyAndScale()
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(2);
        var a = GpuTesting.Uniform(random, Rows * Columns);
        var b = GpuTesting.Uniform(random, Columns);
        var start = GpuTesting.Uniform(random, a.Length);
        var product = new float[a.Length];
        var accumulated = new float[a.Length];
        var scaled = new float[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            product[i] = a[i] * b[i % Columns];
            accumulated[i] = start[i] + product[i];
            scaled[i] = -3f * a[i];
        }
        using var deviceA = device.Upload<float>(a);
        using var deviceB = device.Upload<float>(b);
        using var y = device.Allocate<float>(a.Length);
        using var z = device.Upload<float>(start);
        GpuElementwise.Multiply(device, deviceA.View, deviceB.View, y.View);
        GpuElementwise.Multiply(device, deviceA.View, deviceB.View, z.View, accumulate: true);
        GpuTesting.AssertClose(device.Download<float>(y.View), product, "a ⊙ b");
        GpuTesting.AssertClose(device.Download<float>(z.View), accumulated, "z += a ⊙ b");
        GpuElementwise.Scale(device, deviceA.View, -3f, y.View);
        GpuTesting.AssertClose(device.Download<float>(y.View), scaled, "−3·a");
    }

    [Test]
    public void RejectsAShapeThatIsNotASuffix()
    {
        var device = GpuTestDevice.Cpu;
        using var a = device.Allocate<float>(12);
        using var b = device.Allocate<float>(5);
        var error = Assert.Throws<ArgumentException>(() => GpuElementwise.AddScaled(device, a.View, b.View, 1f, a.View));
        Assert.That(error!.Message, Does.Contain("b with 5 elements cannot be repeated over a with 12"));
    }

    /// <remarks>41 rows × 37 columns: several column groups and lanes with unequal row counts.</remarks>
    [Test]
    public void ColumnSumsMatchTheCpu() => CheckColumnSums(GpuTestDevice.Cpu, rows: 41, columns: 37);

    /// <summary>With a target of 64 groups, 200 rows split into chunks; each column block's last group adds them.</summary>
    [Test]
    public void ColumnSumsInChunksMatchTheCpu() =>
        GpuGemmTests.WithTargetGroups(GpuTestDevice.Cpu, 64, device =>
        {
            Assert.That(GpuReductions.ColumnConfig(device, columns: 37, rows: 200).GridDim.Y, Is.GreaterThan(1), "chunks");
            CheckColumnSums(device, rows: 200, columns: 37);
        });

    internal static void CheckColumnSums(GpuDevice device, int rows, int columns)
    {
        var random = new Random(3);
        var a = GpuTesting.Uniform(random, rows * columns);
        var b = GpuTesting.Uniform(random, rows * columns);
        var start = GpuTesting.Uniform(random, columns);
        var sums = (float[])start.Clone();
        var products = (float[])start.Clone();
        ReductionKernels.AddColumnSums(a, sums, columns);
        ReductionKernels.AddColumnSumsOfProducts(a, b, products, columns);
        var negated = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            negated[c] = start[c] - (sums[c] - start[c]);
        }

        using var deviceA = device.Upload<float>(a);
        using var deviceB = device.Upload<float>(b);
        using var deviceSums = device.Upload<float>(start);
        using var deviceProducts = device.Upload<float>(start);
        using var deviceNegated = device.Upload<float>(start);
        GpuReductions.AddColumnSums(device, deviceA.View, deviceSums.View, columns);
        GpuReductions.AddColumnSums(device, deviceA.View, deviceNegated.View, columns, scale: -1f);
        GpuReductions.AddColumnSumsOfProducts(device, deviceA.View, deviceB.View, deviceProducts.View, columns);
        GpuTesting.AssertClose(device.Download<float>(deviceSums.View), sums, "column sums");
        GpuTesting.AssertClose(device.Download<float>(deviceNegated.View), negated, "column sums × −1");
        GpuTesting.AssertClose(device.Download<float>(deviceProducts.View), products, "column sums of products");
    }

    [Test]
    public void SumOfSquaresMatchesADoubleSum() => CheckSumOfSquares(GpuTestDevice.Cpu, 1001);

    /// <summary>64 groups of 16 threads: the last one adds 64 partial sums, four per thread, then its tree.</summary>
    [Test]
    public void SumOfSquaresOverMorePartialsThanThreads() =>
        GpuGemmTests.WithTargetGroups(GpuTestDevice.Cpu, 64, device =>
        {
            Assert.That(GpuReductions.PartialSumCount(device, 5001), Is.EqualTo(64));
            CheckSumOfSquares(device, 5001);
        });

    /// <remarks>Float partial sums of n positive terms: relative error well below n·ε, in practice ~1e-7.</remarks>
    private static void CheckSumOfSquares(GpuDevice device, int length)
    {
        var x = GpuTesting.Uniform(new Random(4), length);
        double expected = x.Sum(v => (double)v * v);
        using var deviceX = device.Upload<float>(x);
        double actual = GpuReductions.SumOfSquares(device, deviceX.View);
        Assert.That(actual, Is.EqualTo(expected).Within(GpuTesting.Tolerance).Percent);
    }
}

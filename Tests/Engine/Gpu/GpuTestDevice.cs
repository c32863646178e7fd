using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// Opens ILGPU's CPU accelerator once for every GPU test (compiling all kernels takes a few seconds) and closes it
/// at the end. The CPU accelerator runs the same kernel code as CUDA, with groups of 16 threads and warps of 4.
/// </summary>
[SetUpFixture]
public class GpuTestDevice
{
    private static GpuDevice? _cpu;
    private static Device? _device;

    /// <summary>The shared <c>ilgpu-cpu</c> accelerator.</summary>
    public static GpuDevice Cpu => _cpu ?? throw new InvalidOperationException("The GPU test device is not open.");

    /// <summary>The same accelerator as a tensor <see cref="MiniBioBert.Engine.Device"/> (with its buffer pool).</summary>
    public static Device Device => _device ?? throw new InvalidOperationException("The GPU test device is not open.");

    [OneTimeSetUp]
    public void Open()
    {
        _cpu = GpuDevice.Open("ilgpu-cpu");
        _device = Device.On(_cpu);
    }

    [OneTimeTearDown]
    public void Close()
    {
        _device?.Dispose();
        _device = null;
        _cpu?.Dispose();
        _cpu = null;
    }
}

/// <summary>Random inputs and the comparison used by the GPU tests.</summary>
internal static class GpuTesting
{
    /// <summary>
    /// The default bound on the normwise relative error max|gpu − cpu| / max|cpu|. Kernels without long sums differ
    /// from the CPU by a few float32 roundings (ε = 6e-8) of the largest values; 1e-5 leaves a wide margin while still
    /// catching any indexing or formula error, which shows up at the 1e-2 to 1 level.
    /// </summary>
    public const double Tolerance = 1e-5;

    public static float[] Uniform(Random random, int count, float low = -1f, float high = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = low + (high - low) * random.NextSingle();
        }
        return values;
    }

    /// <summary>max|actual − expected| / max|expected| (absolute error when expected is all zeros).</summary>
    public static double NormwiseError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), "lengths differ");
        double maxError = 0;
        double maxExpected = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs((double)actual[i] - expected[i]));
            maxExpected = Math.Max(maxExpected, Math.Abs((double)expected[i]));
        }
        return maxExpected == 0 ? maxError : maxError / maxExpected;
    }

    /// <summary>Asserts that the normwise relative error is at most <paramref name="tolerance"/>.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what, double tolerance = Tolerance)
    {
        double error = NormwiseError(actual, expected);
        TestContext.Out.WriteLine($"{what}: normwise relative error {error:E2} (bound {tolerance:E1})");
        Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{what}: normwise relative error {error:E2}");
    }
}

using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuDeviceTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    [Test]
    public void ListsTheCpuAccelerator() =>
        Assert.That(GpuDevice.Available(), Has.Some.StartsWith("ilgpu-cpu"));

    [Test]
    public void RejectsAnUnknownName()
    {
        var error = Assert.Throws<ArgumentException>(() => GpuDevice.Open("tpu"));
        Assert.That(error!.Message, Does.Contain("tpu").And.Contain("cuda, opencl, ilgpu-cpu"));
    }

    [Test]
    public void MissingAcceleratorListsTheOnesFound()
    {
        string? missing = GpuDevice.Names.FirstOrDefault(name => !GpuDevice.Available().Any(found => found.StartsWith(name + " ", StringComparison.Ordinal)));
        if (missing is null)
        {
            Assert.Ignore("Every accelerator kind is present on this machine.");
        }
        var error = Assert.Throws<InvalidOperationException>(() => GpuDevice.Open(missing!));
        Assert.That(error!.Message, Does.Contain($"No '{missing}' accelerator").And.Contain("ilgpu-cpu"));
    }

    [Test]
    public void UploadAndDownloadRoundTrip()
    {
        var device = GpuTestDevice.Cpu;
        float[] values = [1.5f, -2f, 3.25f];
        using var buffer = device.Upload<float>(values);
        Assert.That(device.Download<float>(buffer.View), Is.EqualTo(values));
        using var zeros = device.AllocateZeros<float>(4);
        Assert.That(device.Download<float>(zeros.View), Is.EqualTo(new float[4]));
    }

    [Test]
    public void UploadIndicesRejectsOutOfRangeValues()
    {
        var device = GpuTestDevice.Cpu;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => device.UploadIndices([0, 7, 3], limit: 5, "token ids"));
        Assert.That(error!.Message, Does.Contain("token ids: value 7 at position 1"));
        using var targets = device.UploadIndices([0, Ignored, 4], limit: 5, "targets", allowed: Ignored);
        Assert.That(device.Download<int>(targets.View), Is.EqualTo(new[] { 0, Ignored, 4 }));
    }

    /// <summary>Runs a GEMM and a masked softmax on a real CUDA GPU against the CPU kernels, when one is present.</summary>
    [Test]
    public void CudaMatchesTheCpuKernels()
    {
        using var cuda = OpenCudaOrIgnore();
        GpuGemmTests.CheckProduct(cuda, transposeA: false, transposeB: true, m: 129, n: 67, k: 150);
        GpuSoftmaxTests.CheckMaskedSoftmax(cuda, batch: 3, heads: 4, queries: 33, keys: 130);
    }

    /// <summary>
    /// The GEMM's 128-bit paths on a real CUDA GPU, when one is present: every transpose case with rows in whole quads
    /// (quads cut by the edges; on an H100 the 6 tiles split K = 150 in two), views 4 floats (aligned) and 2 floats (not)
    /// into their buffers with the bias epilogue, split-K with quad partials (n = 68), attention's per-head products.
    /// </summary>
    [Test]
    public void CudaGemmWithQuadsMatchesTheCpu()
    {
        using var cuda = OpenCudaOrIgnore();
        foreach (var (transposeA, transposeB) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            GpuGemmTests.CheckProduct(cuda, transposeA, transposeB, m: 129, n: 67, k: 150, quadRows: true);
        }
        GpuGemmTests.CheckProduct(cuda, false, true, m: 129, n: 67, k: 150, quadRows: true, offset: 4, bias: true);
        GpuGemmTests.CheckProduct(cuda, false, true, m: 129, n: 67, k: 150, quadRows: true, offset: 2, bias: true);
        GpuGemmTests.CheckProduct(cuda, true, false, m: 129, n: 68, k: 600, quadRows: true);
        GpuGemmTests.CheckAttentionProducts(cuda, headSize: 8);
    }

    /// <summary>The first CUDA device, or the test is ignored (with the accelerators present) when there is none.</summary>
    private static GpuDevice OpenCudaOrIgnore()
    {
        if (!GpuDevice.Available().Any(found => found.StartsWith("cuda ", StringComparison.Ordinal)))
        {
            Assert.Ignore($"No CUDA device: accelerators present are {string.Join(", ", GpuDevice.Available())}.");
        }
        return GpuDevice.Open("cuda");
    }
}

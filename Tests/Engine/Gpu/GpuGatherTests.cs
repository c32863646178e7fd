using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

[Category("Gpu")]
public class GpuGatherTests
{
    /// <remarks>
    /// Indices repeat, so the scatter adds several rows into one through atomics: the order of those additions
    /// varies, which changes sums by a float32 rounding or two, inside the 1e-5 normwise bound.
    /// </remarks>
    [Test]
    public void GatherAndScatterAddMatchTheCpu()
    {
        var device = GpuTestDevice.Cpu;
        var random = new Random(10);
        const int TableRows = 11, Columns = 13, Count = 17;
        var table = GpuTesting.Uniform(random, TableRows * Columns);
        var indices = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            indices[i] = random.Next(TableRows / 2);
        }
        var outputGrad = GpuTesting.Uniform(random, Count * Columns);
        var tableGradStart = GpuTesting.Uniform(random, table.Length);
        var output = new float[Count * Columns];
        var tableGrad = (float[])tableGradStart.Clone();
        GatherKernels.GatherRows(table, indices, output, Columns);
        GatherKernels.ScatterAddRows(outputGrad, indices, tableGrad, Columns);

        using var deviceTable = device.Upload<float>(table);
        using var deviceIndices = device.UploadIndices(indices, TableRows, "indices");
        using var deviceOutput = device.Allocate<float>(output.Length);
        using var deviceOutputGrad = device.Upload<float>(outputGrad);
        using var deviceTableGrad = device.Upload<float>(tableGradStart);
        GpuGather.GatherRows(device, deviceTable.View, deviceIndices.View, deviceOutput.View, Columns);
        GpuGather.ScatterAddRows(device, deviceOutputGrad.View, deviceIndices.View, deviceTableGrad.View, Columns);
        Assert.That(device.Download<float>(deviceOutput.View), Is.EqualTo(output), "a gather copies values exactly");
        GpuTesting.AssertClose(device.Download<float>(deviceTableGrad.View), tableGrad, "table gradient");
    }

    /// <summary>
    /// A NaN gradient scatter-added into a row that other positions also update: the sum becomes NaN and the kernel
    /// finishes (a float compare-exchange loop would spin forever on ILGPU's CPU accelerator, as NaN ≠ NaN).
    /// </summary>
    [Test]
    public void ScatterAddOfANaNFinishes()
    {
        var device = GpuTestDevice.Cpu;
        using var outputGrad = device.Upload<float>([float.NaN, 1f, 2f, 3f, 5f, 7f]);
        using var indices = device.UploadIndices([0, 0, 0], 2, "indices");
        using var tableGrad = device.AllocateZeros<float>(4);
        var scatter = Task.Run(() =>
        {
            GpuGather.ScatterAddRows(device, outputGrad.View, indices.View, tableGrad.View, 2);
            device.Synchronize();
        });
        Assert.That(scatter.Wait(TimeSpan.FromMinutes(2)), Is.True, "the scatter-add finished");
        var sums = device.Download<float>(tableGrad.View);
        Assert.That(float.IsNaN(sums[0]), Is.True);
        Assert.That(sums[1..], Is.EqualTo(new[] { 11f, 0f, 0f }));
    }
}

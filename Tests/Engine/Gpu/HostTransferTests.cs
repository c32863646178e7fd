using MiniBioBert.Engine.Gpu;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// Uploads and downloads while another thread runs compacting garbage collections: the host arrays must stay where
/// the copy reads or writes them. ILGPU's <c>ref</c> transfer overloads take a raw pointer and allocate before they
/// copy; with an unpinned array a collection in between moved it, a download then left the array zero and wrote into
/// the collector's memory (the intermittent "normwise error 1.0" results and crashes inside the runtime that this
/// test was written for). Fixed iterations, no timing.
/// </summary>
[Category("Gpu")]
public class HostTransferTests
{
    private const int Rounds = 1000, Length = 16_000; // 64 KB: under the large-object threshold, so the arrays can move

    [Test]
    public void TransfersSurviveCompactingCollections()
    {
        GpuDevice gpu = GpuTestDevice.Cpu;
        using var buffer = gpu.Allocate<float>(Length);
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        });
        int lost = 0;
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                float value = round + 1;
                var upload = Enumerable.Repeat(value, Length).ToArray();
                gpu.Upload<float>(upload, buffer.View);
                var download = new float[Length];
                gpu.Download(buffer.View, download);
                if (download[0] != value || download[^1] != value)
                {
                    lost++;
                }
            }
        }
        finally
        {
            stop.Cancel();
            collector.Wait();
        }
        Assert.That(lost, Is.Zero, $"{lost} of {Rounds} round trips came back changed");
    }
}

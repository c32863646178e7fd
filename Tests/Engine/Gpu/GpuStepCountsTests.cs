using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Model;
using MiniBioBert.Training.Optim;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// What a training step asks of a GPU, counted on <c>ilgpu-cpu</c> (<see cref="GpuCounters"/>): kernel launches,
/// waits for the device, device allocations and uploads. None of these depends on the hidden size or the batch, only
/// on the number of layers, so two tiny models (1 and 2 layers) give the count for the default 4-layer model.
/// </summary>
[Category("Gpu")]
public class GpuStepCountsTests
{
    /// <summary>The attention products of every (batch item, head) pair: one launch, the CPU's result.</summary>
    [Test]
    public void PerHeadProductsAreOneLaunch()
    {
        const int Batch = 3, Length = 5, Heads = 3, HeadSize = 4, Hidden = Heads * HeadSize;
        var random = new Random(3);
        var query = Tensor.FromArray(GpuTesting.Uniform(random, Batch * Length * Hidden), Batch, Length, Hidden);
        var key = Tensor.FromArray(GpuTesting.Uniform(random, Batch * Length * Hidden), Batch, Length, Hidden);
        var cpuScores = Tensor.Zeros(Batch, Heads, Length, Length);
        TensorKernels.MultiplyPerHead(false, true, Length, Length, HeadSize, PerHead(query), PerHead(key), Square(cpuScores), Batch, Heads, alpha: 0.5f);

        var device = GpuTestDevice.Device;
        var gpuScores = Tensor.Zeros(device, Batch, Heads, Length, Length);
        var before = device.Gpu!.Counters.Read();
        TensorKernels.MultiplyPerHead(false, true, Length, Length, HeadSize, PerHead(query.To(device)), PerHead(key.To(device)), Square(gpuScores),
            Batch, Heads, alpha: 0.5f);
        Assert.That((device.Gpu.Counters.Read() - before).Launches, Is.EqualTo(1));
        GpuTesting.AssertClose(gpuScores.ToArray(), cpuScores.ToArray(), "scores");

        static StridedMatrices PerHead(Tensor x) => new(x, Hidden, HeadSize, (long)Length * Hidden);
        static StridedMatrices Square(Tensor s) => new(s, Length, (long)Length * Length, (long)Heads * Length * Length);
    }

    /// <summary>
    /// One warm training step (zero, forward, loss, backward, average and clip, AdamW) of a 1-layer and a 2-layer
    /// model: the counts are a + b·layers; printed for docs/gpu.md. Held here: no device allocation once warm, no wait
    /// inside a layer, at most the GPU issue's 200 launches for the default model's 4 layers, and one wait: the step's
    /// one download (loss, gradient norm, whether it updated).
    /// </summary>
    [Test]
    public void CountsPerTrainingStep()
    {
        var oneLayer = WarmStepCounts(1);
        var twoLayers = WarmStepCounts(2);
        var perLayer = twoLayers - oneLayer;
        var fourLayers = new GpuCounts(
            oneLayer.Launches + 3 * perLayer.Launches, oneLayer.Synchronizations + 3 * perLayer.Synchronizations,
            oneLayer.Allocations + 3 * perLayer.Allocations, oneLayer.Uploads + 3 * perLayer.Uploads);
        TestContext.Out.WriteLine($"1 layer: {oneLayer}; per layer: {perLayer}; 4 layers: {fourLayers}");
        Assert.That(fourLayers.Launches, Is.LessThanOrEqualTo(200), "launches per step of the 4-layer model");
        Assert.That(perLayer.Synchronizations, Is.Zero, "a layer waits for nothing");
        Assert.That(fourLayers.Synchronizations, Is.EqualTo(1), "the step's one download");
        Assert.That(fourLayers.Allocations, Is.Zero, "device allocations per warm step");
    }

    private static GpuCounts WarmStepCounts(int layers)
    {
        var config = DeviceModelTests.TinyConfig with { NumHiddenLayers = layers };
        var model = new BertForPreTraining(config, seed: 5);
        var device = GpuTestDevice.Device;
        model.MoveTo(device);
        try
        {
            var segments = WeightDecayRule.Segments(model.Parameters.Parameters.Select(p => (p.Name, p.Offset, p.Value.Size)));
            var optimizer = new ModelOptimizer([model.Parameters], [new AdamW(segments)]);
            GpuCounts start = default;
            for (int step = 1; step <= 3; step++)
            {
                if (step == 3)
                {
                    device.Gpu!.Synchronize();
                    start = device.Gpu.Counters.Read();
                }
                var batch = DeviceModelTests.TinyBatch(step);
                TrainingStep.Run(optimizer, 1, (_, context) => model.Forward(batch, context).Loss, _ => (ulong)step, 1e-3, 1.0);
            }
            return device.Gpu!.Counters.Read() - start;
        }
        finally
        {
            model.MoveTo(Device.Cpu);
        }
    }
}

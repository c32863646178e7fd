using MiniBioBert.Benchmarks.Measurements;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Memory;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// The whole pretraining model on ILGPU's CPU accelerator against the CPU engine: a tiny BERT (2 layers, hidden 16,
/// 2 heads, vocabulary 50, sequences of 8, with padding and dropout on), forward and backward.
/// </summary>
[Category("Gpu")]
public class DeviceModelTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    /// <summary>
    /// Bound on the normwise relative error of the losses and of every parameter gradient. Each kernel agrees with its
    /// CPU twin to ≈ 1e-7 (sums in another order); through ~40 kernels forward and back the differences add up to a
    /// few 1e-7 (measured below 1e-6); 1e-5 is the kernels' own bound and still catches any wiring error (≥ 1e-2).
    /// </summary>
    private const double Tolerance = 1e-5;

    /// <summary>The device check's tiny model (2 layers, hidden 16), shared so both test the same thing.</summary>
    internal static BertConfig TinyConfig => DeviceCheck.TinyConfig;

    /// <summary>Two sequences of 8 tokens, the second with two padding positions; three masked tokens.</summary>
    internal static PretrainingInputs TinyBatch(int seed) => DeviceCheck.TinyBatch(seed);

    [TestCase(true)]
    [TestCase(false)]
    public void ForwardAndBackwardMatchTheCpu(bool sparseMlm) => AssertMatchesTheCpu(GpuTestDevice.Device, sparseMlm);

    /// <summary>The same comparison on a real CUDA GPU, when one is present.</summary>
    [Test]
    public void OnCudaForwardAndBackwardMatchTheCpu()
    {
        if (!GpuDevice.Available().Any(found => found.StartsWith("cuda ", StringComparison.Ordinal)))
        {
            Assert.Ignore($"No CUDA device: accelerators present are {string.Join(", ", GpuDevice.Available())}.");
        }
        using var cuda = Device.Open("cuda");
        AssertMatchesTheCpu(cuda, sparseMlm: true);
    }

    private static void AssertMatchesTheCpu(Device device, bool sparseMlm)
    {
        var cpu = new BertForPreTraining(TinyConfig, seed: 1);
        var gpu = new BertForPreTraining(TinyConfig, seed: 1);
        gpu.MoveTo(device);
        try
        {
            var expected = ForwardBackward(cpu, sparseMlm);
            var actual = ForwardBackward(gpu, sparseMlm);
            GpuTesting.AssertClose(actual.Losses, expected.Losses, "loss, MLM loss, NSP loss");
            Assert.That(actual.Accuracy, Is.EqualTo(expected.Accuracy), "MLM and NSP correct counts");
            gpu.MoveTo(Device.Cpu);
            double largestGradient = cpu.Parameters.Gradients.Max(Math.Abs);
            foreach (var parameter in cpu.Parameters.Parameters)
            {
                var actualGradient = gpu.Parameters[parameter.Name].Grad!.ToArray();
                var expectedGradient = parameter.Value.Grad!.ToArray();
                if (parameter.Name.EndsWith("key.bias", StringComparison.Ordinal))
                {
                    // The key bias adds q·b to every score of a row, which softmax ignores: its exact gradient is 0, and
                    // both devices hold rounding noise there, so it is compared to the model's largest gradient instead.
                    double noise = actualGradient.Zip(expectedGradient, (a, e) => Math.Abs(a - e)).Max();
                    Assert.That(noise / largestGradient, Is.LessThanOrEqualTo(Tolerance), "gradient of " + parameter.Name);
                    continue;
                }
                GpuTesting.AssertClose(actualGradient, expectedGradient, "gradient of " + parameter.Name, Tolerance);
            }
        }
        finally
        {
            gpu.MoveTo(Device.Cpu);
        }
    }

    [Test]
    public void ACheckpointSavedFromTheDeviceLoadsOnTheCpu()
    {
        var model = new BertForPreTraining(TinyConfig, seed: 2);
        var expected = model.Parameters.Values.ToArray();
        model.MoveTo(GpuTestDevice.Device);
        string directory = Path.Combine(Path.GetTempPath(), $"minibiobert-gpu-{Guid.NewGuid():N}");
        string vocab = Path.Combine(Path.GetTempPath(), $"minibiobert-gpu-vocab-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllLines(vocab, Enumerable.Range(0, TinyConfig.VocabSize).Select(i => $"token{i}"));
            model.Save(directory, vocab);
            Assert.That(BertForPreTraining.Load(directory).Parameters.Values, Is.EqualTo(expected));
        }
        finally
        {
            model.MoveTo(Device.Cpu);
            Directory.Delete(directory, recursive: true);
            File.Delete(vocab);
        }
    }

    private static (float[] Losses, int[] Accuracy) ForwardBackward(BertForPreTraining model, bool sparseMlm)
    {
        using var scope = new TensorScope();
        model.Parameters.ZeroGradients();
        var output = model.Forward(TinyBatch(seed: 3), new ForwardContext { Training = true, DropoutSeed = 99 }, sparseMlm);
        output.Loss.Backward();
        var scores = output.Score();
        return ([output.Loss.Item(), output.MlmLoss.Item(), output.NspLoss.Item()],
            [scores.MlmCorrect, scores.MlmCount, scores.NspCorrect, scores.NspCount]);
    }
}

using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// Every public <see cref="Ops"/> method, forward and backward, on ILGPU's CPU accelerator against the CPU engine:
/// the same op on the same inputs, then loss = Σ(output ⊙ R) with a fixed random R, backward, and the output and
/// every input gradient compared. Bound: normwise relative error ≤ 1e-5 (<see cref="GpuTesting.Tolerance"/>), as for
/// the kernels themselves; the ops run the same formulas in float, so they differ only by summation order.
/// </summary>
[Category("Gpu")]
public class DeviceOpsTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    private static Device Gpu => GpuTestDevice.Device;

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("Add broadcast", [[3, 4, 5], [5]], x => Ops.Add(x[0], x[1]));
        yield return Case("Sub broadcast", [[3, 4, 5], [4, 5]], x => Ops.Sub(x[0], x[1]));
        yield return Case("Mul broadcast", [[3, 4, 5], [4, 5]], x => Ops.Mul(x[0], x[1]));
        yield return Case("Scale", [[3, 7]], x => Ops.Scale(x[0], -0.3f));
        yield return Case("Sum", [[5, 37]], x => Ops.Sum(x[0]));
        yield return Case("Mean", [[5, 37]], x => Ops.Mean(x[0]));
        yield return Case("MatMul", [[7, 5], [5, 9]], x => Ops.MatMul(x[0], x[1]));
        yield return Case("MatMul transposed", [[5, 7], [9, 5]], x => Ops.MatMul(x[0], x[1], transposeA: true, transposeB: true));
        yield return Case("MatMul batched", [[3, 7, 5], [3, 9, 5]], x => Ops.MatMul(x[0], x[1], transposeB: true));
        yield return Case("Linear", [[2, 5, 11], [13, 11], [13]], x => Ops.Linear(x[0], x[1], x[2]));
        yield return Case("Linear without bias", [[6, 11], [13, 11]], x => Ops.Linear(x[0], x[1], null));
        yield return Case("Gelu", [[4, 33]], x => Ops.Gelu(x[0]));
        yield return Case("Tanh", [[4, 33]], x => Ops.Tanh(x[0]));
        yield return Case("Dropout", [[4, 33]], x => Ops.Dropout(x[0], 0.25f, seed: 7));
        yield return Case("Softmax", [[3, 17]], x => Ops.Softmax(x[0]));
        yield return Case("Softmax masked", [[2, 3, 4, 6]], x => Ops.Softmax(x[0], KeyMask().To(x[0].Device)));
        yield return Case("LogSoftmax", [[3, 17]], x => Ops.LogSoftmax(x[0]));
        yield return Case("LayerNorm", [[2, 3, 19], [19], [19]], x => Ops.LayerNorm(x[0], x[1], x[2], 1e-12f));
        yield return Case("CrossEntropy", [[5, 11]], x => Ops.CrossEntropy(x[0], [3, Ignored, 0, 10, 3]));
        yield return Case("Reshape", [[2, 3, 4]], x => Ops.Reshape(x[0], 6, -1));
        yield return Case("Permute", [[2, 3, 4, 5]], x => Ops.Permute(x[0], 0, 2, 1, 3));
        yield return Case("Transpose", [[3, 4]], x => Ops.Transpose(x[0], 0, 1));
        yield return Case("Embedding", [[10, 6]], x => Ops.Embedding(x[0], [1, 4, 4, 9, 0, 1], 2, 3));
        yield return Case("GatherRows", [[2, 5, 6]], x => Ops.GatherRows(x[0], [7, 0, 7, 3]));
    }

    private static TestCaseData Case(string name, int[][] shapes, Func<Tensor[], Tensor> op) =>
        new TestCaseData(shapes, op).SetName($"OpMatchesTheCpu({name})");

    /// <summary>A [2, 6] key mask (0 = keep, −10000 = padding).</summary>
    private static Tensor KeyMask() => Tensor.FromValues([0, 0, 0, 0, -10000, -10000, 0, 0, 0, 0, 0, -10000], 2, 6);

    [TestCaseSource(nameof(Cases))]
    public void OpMatchesTheCpu(int[][] shapes, Func<Tensor[], Tensor> op)
    {
        var random = new Random(17);
        var values = shapes.Select(shape => GpuTesting.Uniform(random, Tensor.ShapeSize(shape))).ToArray();
        var (cpuOutput, cpuGrads) = Run(Device.Cpu, shapes, values, op);
        var (gpuOutput, gpuGrads) = Run(Gpu, shapes, values, op);
        GpuTesting.AssertClose(gpuOutput, cpuOutput, "output");
        for (int i = 0; i < shapes.Length; i++)
        {
            GpuTesting.AssertClose(gpuGrads[i], cpuGrads[i], $"gradient of input {i}");
        }
    }

    /// <summary>Runs the op on <paramref name="device"/> inside a scope; returns the output and the input gradients, on the host.</summary>
    private static (float[] Output, float[][] Grads) Run(Device device, int[][] shapes, float[][] values, Func<Tensor[], Tensor> op)
    {
        using var scope = new TensorScope();
        var inputs = shapes.Select((shape, i) => Tensor.FromValues(values[i], shape).To(device)).ToArray();
        foreach (var input in inputs)
        {
            input.RequiresGrad = true;
        }
        var output = op(inputs);
        var weights = Tensor.FromValues(GpuTesting.Uniform(new Random(5), output.Size), output.ShapeArray()).To(device);
        Ops.Sum(Ops.Mul(output, weights)).Backward();
        return (output.ToArray(), inputs.Select(input => input.Grad!.ToArray()).ToArray());
    }

    [Test]
    public void ArgMaxRowsMatchesTheCpuWithTiesGoingToTheFirst()
    {
        const int Rows = 23, Columns = 301;
        var values = GpuTesting.Uniform(new Random(3), Rows * Columns);
        for (int r = 0; r < Rows; r += 2)
        {
            // Rows with two equal maxima, the first at a column after 256 for odd r / 2 (beyond one pass of a large group).
            int first = (r / 2) % 2 == 0 ? 7 : 260;
            values[r * Columns + first] = 2f;
            values[r * Columns + first + 13] = 2f;
        }
        var logits = Tensor.FromValues(values, Rows, Columns);
        var expected = TensorKernels.ArgMaxRows(logits);
        Assert.That(TensorKernels.ArgMaxRows(logits.To(Gpu)), Is.EqualTo(expected));
        Assert.That(expected[0], Is.EqualTo(7));
        Assert.That(expected[2], Is.EqualTo(260));
    }

    [Test]
    public void MixingDevicesIsAnError()
    {
        var onCpu = Tensor.Zeros(2, 3);
        var onGpu = Tensor.Zeros(Gpu, 2, 3);
        var error = Assert.Throws<ArgumentException>(() => Ops.Add(onCpu, onGpu));
        Assert.That(error!.Message, Does.Contain("Add").And.Contain("cpu and ilgpu-cpu").And.Contain("To(device)"));
        Assert.Throws<ArgumentException>(() => Ops.Linear(onGpu, Tensor.Zeros(4, 3), null));
    }
}

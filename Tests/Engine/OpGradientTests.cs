using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine;

namespace MiniBioBert.Tests.Engine;

/// <summary>Analytic backward vs central finite differences for every operation, on odd sizes (see <see cref="GradientCheck"/>).</summary>
public class OpGradientTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    private readonly Random _random = new(42);

    private Tensor Input(params int[] shape) => TestData.Random(_random, 1f, shape);

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void MatMul2D(bool transposeA, bool transposeB)
    {
        var a = transposeA ? Input(5, 7) : Input(7, 5);
        var b = transposeB ? Input(9, 5) : Input(5, 9);
        GradientCheck.Check(() => Ops.MatMul(a, b, transposeA, transposeB), [a, b]);
    }

    [TestCase(false, true)]
    [TestCase(true, false)]
    public void MatMulBatched(bool transposeA, bool transposeB)
    {
        var a = transposeA ? Input(3, 5, 7) : Input(3, 7, 5);
        var b = transposeB ? Input(3, 9, 5) : Input(3, 5, 9);
        GradientCheck.Check(() => Ops.MatMul(a, b, transposeA, transposeB), [a, b]);
    }

    [Test]
    public void Linear()
    {
        var x = Input(2, 5, 11);
        var weight = Input(13, 11);
        var bias = Input(13);
        GradientCheck.Check(() => Ops.Linear(x, weight, bias), [x, weight, bias]);
    }

    [Test]
    public void AddSubMulBroadcast()
    {
        var a = Input(3, 5, 7);
        var b = Input(5, 7);
        var c = Input(7);
        GradientCheck.Check(() => Ops.Mul(Ops.Sub(Ops.Add(a, b), c), c), [a, b, c]);
    }

    [Test]
    public void ScaleSumMean()
    {
        var a = Input(3, 7);
        GradientCheck.Check(() => Ops.Add(Ops.Sum(Ops.Scale(a, 0.3f)), Ops.Mean(a)), [a]);
    }

    [Test]
    public void ReshapePermuteTranspose()
    {
        var a = Input(2, 3, 5, 7);
        GradientCheck.Check(() => Ops.Transpose(Ops.Reshape(Ops.Permute(a, 0, 2, 1, 3), 10, 3, 7), 0, 2), [a]);
    }

    [Test]
    public void EmbeddingWithRepeatedIds()
    {
        var table = Input(11, 5);
        int[] ids = [3, 0, 3, 10, 7, 3];
        GradientCheck.Check(() => Ops.Embedding(table, ids, 2, 3), [table]);
    }

    [Test]
    public void GatherRows()
    {
        var source = Input(9, 7);
        int[] rows = [8, 1, 1, 4];
        GradientCheck.Check(() => Ops.GatherRows(source, rows), [source]);
    }

    [Test]
    public void GeluAndTanh()
    {
        var x = Input(7, 9);
        GradientCheck.Check(() => Ops.Tanh(Ops.Gelu(Ops.Scale(x, 2f))), [x]);
    }

    [Test]
    public void SoftmaxWithMask()
    {
        var x = Input(2, 3, 5, 7);
        var mask = new float[2 * 7];
        mask[13] = mask[12] = -10000f;
        var additiveMask = Tensor.FromArray(mask, 2, 7);
        GradientCheck.Check(() => Ops.Softmax(x, additiveMask), [x]);
    }

    [Test]
    public void LogSoftmax()
    {
        var x = Input(5, 11);
        GradientCheck.Check(() => Ops.LogSoftmax(x), [x]);
    }

    [TestCase(1e-12f)]
    [TestCase(1e-5f)]
    public void LayerNorm(float eps)
    {
        var x = Input(6, 13);
        var weight = Input(13);
        var bias = Input(13);
        GradientCheck.Check(() => Ops.LayerNorm(x, weight, bias, eps), [x, weight, bias]);
    }

    [Test]
    public void CrossEntropyWithIgnoredRows()
    {
        var logits = Input(9, 13);
        int[] targets = [0, 12, Ignored, 5, 5, 7, Ignored, 1, 3];
        GradientCheck.Check(() => Ops.CrossEntropy(logits, targets), [logits]);
    }

    [Test]
    public void Dropout()
    {
        var x = Input(7, 9);
        GradientCheck.Check(() => Ops.Dropout(x, 0.3f, seed: 5), [x]);
    }
}

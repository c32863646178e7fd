using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Tests.Engine;

/// <summary>
/// The dense layer's kernels check their shapes before running: the CPU GEMM writes through pointers, so a weight of
/// the wrong shape must be an <see cref="ArgumentException"/>, never a write past the output.
/// </summary>
public class LinearShapeTests
{
    [Test]
    public void AWeightOfTheWrongShapeIsRefusedBeforeAnyWrite()
    {
        var x = Tensor.Zeros(8, 16);
        var y = Tensor.Zeros(8, 4);
        var transposedWeight = Tensor.Zeros(16, 4); // [in, out] where [out, in] is meant

        var error = Assert.Throws<ArgumentException>(() => TensorKernels.LinearForward(x, transposedWeight, null, y));
        Assert.That(error!.Message, Does.Contain("LinearForward"));
    }

    [Test]
    public void AnOutputOrBiasOfTheWrongSizeIsRefused()
    {
        var x = Tensor.Zeros(8, 16);
        var weight = Tensor.Zeros(4, 16);

        Assert.Throws<ArgumentException>(() => TensorKernels.LinearForward(x, weight, null, Tensor.Zeros(8, 5)));
        Assert.Throws<ArgumentException>(() => TensorKernels.LinearForward(x, weight, Tensor.Zeros(5), Tensor.Zeros(8, 4)));
        Assert.Throws<ArgumentException>(() => TensorKernels.LinearBackward(Tensor.Zeros(8, 4), x, weight, Tensor.Zeros(8, 15), null, null));
        Assert.Throws<ArgumentException>(() => TensorKernels.LinearBackward(Tensor.Zeros(8, 4), x, weight, null, Tensor.Zeros(16, 4 * 2), null));
    }

    [Test]
    public void MatchingShapesRun()
    {
        var x = Tensor.Zeros(8, 16);
        var weight = Tensor.Zeros(4, 16);

        Assert.DoesNotThrow(() => TensorKernels.LinearForward(x, weight, Tensor.Zeros(4), Tensor.Zeros(2, 4, 4)));
        Assert.DoesNotThrow(() => TensorKernels.LinearBackward(Tensor.Zeros(8, 4), x, weight, Tensor.Zeros(8, 16), Tensor.Zeros(4, 16), Tensor.Zeros(4)));
    }
}

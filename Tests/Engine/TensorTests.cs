using MiniBioBert.Engine;

namespace MiniBioBert.Tests.Engine;

public class TensorTests
{
    [Test]
    public void ViewSharesStorageAndInfersMinusOne()
    {
        var tensor = Tensor.FromValues([1, 2, 3, 4, 5, 6], 2, 3);
        var view = tensor.View(3, -1);
        Assert.That(view.ShapeArray(), Is.EqualTo(new[] { 3, 2 }));
        view[2, 1] = 60;
        Assert.That(tensor[1, 2], Is.EqualTo(60f));
    }
}

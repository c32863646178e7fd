using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Tests.Engine.Memory;

public class BufferPoolTests
{
    [TestCase(1)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(1000)]
    [TestCase(4096)]
    [TestCase(4097)]
    [TestCase(631 * 30522)]
    public void ASizeClassHoldsTheRequestAndWastesAtMostAnEighth(int length)
    {
        int size = BufferPool.SizeClass(length);
        Assert.That(size, Is.GreaterThanOrEqualTo(length));
        Assert.That(size, Is.LessThanOrEqualTo(length + length / 8 + 1));
        Assert.That(BufferPool.SizeClass(size), Is.EqualTo(size), "a class length is its own class");
    }

    [Test]
    public void ShapesThatVaryFromStepToStepReuseTheSameArrays()
    {
        // Like the MLM logits [masked positions, vocab], whose rows change with every batch: 300 steps with 560–700
        // rows must not leave an array of every length in the pool (the memory of a long run grew without bound).
        var pool = new BufferPool();
        var random = new Random(7);
        for (int step = 0; step < 300; step++)
        {
            int rows = random.Next(560, 701);
            var logits = pool.Rent(rows * 300, clear: false);
            var hidden = pool.Rent(rows * 256, clear: true);
            Assert.That(hidden.AsSpan(0, rows * 256).ContainsAnyExcept(0f), Is.False, "a cleared array is all zeros");
            hidden[0] = 1;
            pool.Return(logits);
            pool.Return(hidden);
        }
        // Rows 560–700 span at most 3 classes for each of the two tensors.
        Assert.That(pool.Allocations, Is.LessThanOrEqualTo(6));
    }

    [Test]
    public void TensorsInAScopeUseOnlyTheirOwnLengthOfALongerArray()
    {
        using (new TensorScope())
        {
            var tensor = Tensor.Zeros(5, 13); // 65 floats: class 72
            Assert.That(tensor.Data, Has.Length.EqualTo(BufferPool.SizeClass(65)));
            Assert.That(tensor.Size, Is.EqualTo(65));
            Assert.That(tensor.Span.Length, Is.EqualTo(65));
        }
    }
}

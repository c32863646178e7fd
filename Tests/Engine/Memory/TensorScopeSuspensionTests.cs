using MiniBioBert.Engine;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Tests.Engine.Memory;

public class TensorScopeSuspensionTests
{
    /// <summary>A tensor made while the scope is suspended is an ordinary one: it keeps its values after the scope ends.</summary>
    [Test]
    public void TensorsMadeWhileSuspendedOutliveTheScope()
    {
        Tensor pooled, kept;
        using (var scope = new TensorScope())
        {
            pooled = Tensor.Zeros(4);
            using (TensorScope.Suspended())
            {
                Assert.That(TensorScope.Current, Is.Null);
                kept = Tensor.Zeros(4);
                kept.Span.Fill(7f);
            }
            Assert.That(TensorScope.Current, Is.SameAs(scope));
        }
        Assert.That(pooled.IsReleased, Is.True);
        Assert.That(kept.IsReleased, Is.False);
        Assert.That(kept.ToArray(), Is.EqualTo(new[] { 7f, 7f, 7f, 7f }));
    }
}

using MiniBioBert.Model;
using MiniBioBert.Model.Layers;
using MiniBioBert.Tests.Engine;

namespace MiniBioBert.Tests.Model;

/// <summary>
/// Proof 2 of the Model issue: the whole model's loss gradient (hand-written backward) against central finite
/// differences on a tiny config, for a sample of elements of every parameter. Tolerance as in <see cref="GradientCheck"/>.
/// </summary>
public class ModelGradientCheckTests
{
    [Test]
    public void LossGradientMatchesFiniteDifferences()
    {
        var model = TinyBertFixture.LoadModel();
        var batch = TinyBertFixture.LoadBatch();
        var parameters = model.Parameters.Parameters.Select(p => p.Value).ToArray();
        GradientCheck.Check(() => model.Forward(batch, ForwardContext.Evaluation).Loss, parameters, maxChecksPerInput: 6);
    }
}

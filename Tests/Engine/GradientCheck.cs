using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;

namespace MiniBioBert.Tests.Engine;

/// <summary>
/// Compares an operation's analytic backward with central finite differences.
/// The scalar is f = Σ out ⊙ R for a fixed random R, so every output element's gradient path is exercised.
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// Tolerance: the engine computes in float32, so f carries rounding noise of about 1e-7·Σ|out ⊙ R|
    /// (summed in double here). With step h = 1e-3 that noise becomes ≈ 1e-4 in the difference quotient,
    /// and the truncation error h²·f'''/6 is ≈ 1e-7 for these smooth ops. We accept
    /// |numeric − analytic| ≤ 2e-3 + 1e-2·|analytic|, which is an order of magnitude above that noise yet
    /// far below what any wrong backward formula produces (errors of O(|analytic|)).
    /// </summary>
    private const double AbsoluteTolerance = 2e-3;
    private const double RelativeTolerance = 1e-2;
    private const float Step = 1e-3f;

    /// <summary>Checks d f / d input for every input that requires grad (at most <paramref name="maxChecksPerInput"/> elements each).</summary>
    public static void Check(Func<Tensor> forward, Tensor[] inputs, int seed = 1, int maxChecksPerInput = 60)
    {
        foreach (var input in inputs)
        {
            input.RequiresGrad = true;
            input.Grad = null;
        }
        var probe = forward();
        var random = new Random(seed);
        var weights = TestData.Random(random, 1f, probe.ShapeArray());

        var loss = Ops.Sum(Ops.Mul(probe, weights));
        loss.Backward();

        for (int inputIndex = 0; inputIndex < inputs.Length; inputIndex++)
        {
            var input = inputs[inputIndex];
            Assert.That(input.Grad, Is.Not.Null, $"input {inputIndex} received no gradient");
            var analytic = input.Grad!.ToArray();
            var positions = Enumerable.Range(0, input.Size).OrderBy(_ => random.Next()).Take(maxChecksPerInput);
            foreach (int i in positions)
            {
                float original = input.Span[i];
                input.Span[i] = original + Step;
                double plus = WeightedSum(forward, weights);
                input.Span[i] = original - Step;
                double minus = WeightedSum(forward, weights);
                input.Span[i] = original;
                double numeric = (plus - minus) / (2 * Step);
                double allowed = AbsoluteTolerance + RelativeTolerance * Math.Abs(analytic[i]);
                Assert.That(Math.Abs(numeric - analytic[i]), Is.LessThanOrEqualTo(allowed),
                    $"input {inputIndex} element {i}: analytic {analytic[i]:G6}, numeric {numeric:G6}");
            }
        }
    }

    private static double WeightedSum(Func<Tensor> forward, Tensor weights)
    {
        using (GradMode.NoGrad())
        {
            var output = forward().Span;
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += (double)output[i] * weights.Span[i];
            }
            return sum;
        }
    }
}

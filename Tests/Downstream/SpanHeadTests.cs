using MiniBioBert.Benchmarks.Measurements;
using MiniBioBert.Engine;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Tests.Engine;

namespace MiniBioBert.Tests.Downstream;

/// <summary>
/// The question-answering span head: its hand-written backward against finite differences, and forward, loss and
/// gradients against PyTorch (Tests/Fixtures/span_head.safetensors, made by Tests/Reference/span_head_reference.py:
/// B 3, T 7, H 5, computed in float64 and rounded to float32).
/// </summary>
public class SpanHeadTests
{
    private const int Batch = 3, Length = 7, Hidden = 5;

    /// <summary>
    /// Three float32 stages (the linear map, a dot product of H + 1 terms; the log-sum-exp over T positions; the mean
    /// over 2·B rows), none longer than T: δ_f = 3·(2·7 + 8)·u ≈ 3.9e-6 normwise forward, δ_b = 2·δ_f backward
    /// (<see cref="FloatBounds"/>). The same sums in AVX2 and AVX-512 lanes stay within these bounds.
    /// </summary>
    private static readonly double ForwardBound = FloatBounds.Forward(stages: 3, Length);

    private static readonly double BackwardBound = FloatBounds.Backward(stages: 3, Length);

    [Test]
    public void ForwardLossAndGradientsMatchPyTorch()
    {
        using var fixture = TestData.OpenFixture("span_head.safetensors");
        var head = new SpanHead(Hidden, initializerRange: 0.02f, seed: 1);
        fixture.ReadFloatsInto("weight", head.Weight.Span);
        fixture.ReadFloatsInto("bias", head.Bias.Span);
        var x = fixture.ReadTensor("x");
        x.RequiresGrad = true;
        bool[] positions = [.. fixture.ReadInt64s("answer_positions").Select(p => p == 1)];
        int[] starts = fixture.ReadInt32s("starts"), ends = fixture.ReadInt32s("ends");

        var span = head.Forward(x, positions);
        var loss = BertForQuestionAnswering.Loss(span, starts, ends);
        loss.Backward();

        float[] actual = span.ToArray(), expected = fixture.ReadFloats("span_logits");
        Assert.That(span.ShapeArray(), Is.EqualTo(new[] { 2, Batch, Length }));
        // Where an answer may be: the logits themselves; elsewhere MaskedScore + logit (float32 spacing at 10⁴ is 1e-3).
        int[] open = [.. Enumerable.Range(0, actual.Length).Where(i => positions[i % positions.Length])];
        int[] masked = [.. Enumerable.Range(0, actual.Length).Where(i => !positions[i % positions.Length])];
        TestData.AssertClose([.. open.Select(i => actual[i])], [.. open.Select(i => expected[i])], ForwardBound, "open logits");
        Assert.That(masked.Select(i => actual[i]), Is.EqualTo(masked.Select(i => expected[i])).Within(2e-3f), "masked logits");
        Assert.That(loss.Item(), Is.EqualTo(fixture.ReadFloats("loss")[0]).Within(ForwardBound * Math.Abs(fixture.ReadFloats("loss")[0])), "loss");
        TestData.AssertClose(x.Grad!.ToArray(), fixture.ReadFloats("grad_x"), BackwardBound, "grad_x");
        TestData.AssertClose(head.Weight.Grad!.ToArray(), fixture.ReadFloats("grad_weight"), BackwardBound, "grad_weight");
        // The bias gradient is 0 exactly (a softmax ignores a constant added to its whole row), so both sides hold rounding
        // noise only: each row contributes Σ|p − y| ≤ 2 times the rounding of the backward, averaged over the rows.
        Assert.That(head.Bias.Grad!.ToArray().Select(Math.Abs), Is.All.LessThanOrEqualTo(2 * BackwardBound), "grad_bias");
        Assert.That(fixture.ReadFloats("grad_bias").Select(Math.Abs), Is.All.LessThan(1e-12f), "grad_bias in float64");
    }

    [Test]
    public void SpanLogitsBackwardMatchesFiniteDifferences()
    {
        // Every position open: the permutation's backward is checked on every element.
        var head = new SpanHead(Hidden, initializerRange: 0.5f, seed: 2);
        var x = TestData.Random(new Random(3), 1f, Batch, Length, Hidden);
        bool[] allOpen = [.. Enumerable.Repeat(true, Batch * Length)];
        GradientCheck.Check(() => head.Forward(x, allOpen), [x, head.Weight, head.Bias]);
    }

    [Test]
    public void MaskedLossBackwardMatchesFiniteDifferences()
    {
        // Through the loss, where the masked positions' softmax weight is 0 (their logits, near −10⁴, are too coarse in
        // float32 for finite differences of their own).
        var head = new SpanHead(Hidden, initializerRange: 0.5f, seed: 4);
        var x = TestData.Random(new Random(5), 1f, Batch, Length, Hidden);
        bool[] positions = [.. Enumerable.Range(0, Batch * Length).Select(i => i % Length is 0 or >= 3)];
        GradientCheck.Check(() => BertForQuestionAnswering.Loss(head.Forward(x, positions), [3, 0, 6], [5, 0, 6]), [x, head.Weight, head.Bias]);
    }

    [Test]
    public void MaskedPositionsGetNoProbabilityAndNoGradient()
    {
        var head = new SpanHead(Hidden, initializerRange: 0.5f, seed: 6);
        var x = TestData.Random(new Random(7), 1f, 1, Length, Hidden);
        x.RequiresGrad = true;
        bool[] positions = [true, false, false, true, true, false, false];
        BertForQuestionAnswering.Loss(head.Forward(x, positions), [3], [4]).Backward();
        var grad = x.Grad!.ToArray();
        foreach (int position in new[] { 1, 2, 5, 6 })
        {
            Assert.That(grad.Skip(position * Hidden).Take(Hidden), Is.All.EqualTo(0f), $"position {position}");
        }
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;

namespace MiniBioBert.Model.Downstream;

/// <summary>
/// The head of Hugging Face's <c>BertForQuestionAnswering</c>: one linear map from every token's hidden vector to two
/// numbers, its start and its end logit (<c>qa_outputs.weight</c> [2, H], <c>qa_outputs.bias</c> [2], no dropout). The
/// logits are laid out as [2, B, T] (the B start rows, then the B end rows), and positions that cannot hold an answer
/// (the question, [SEP], padding) get <see cref="BertForPreTraining.MaskedScore"/> added, so that a softmax over a row's T
/// positions is one over the context tokens and [CLS] only. The loss is then one <see cref="Ops.CrossEntropy"/> over
/// the 2·B rows: the mean of the start and the end cross-entropy, Hugging Face's <c>(start_loss + end_loss) / 2</c>.
/// The parameters live in a <see cref="ParameterBuffer"/> of their own, next to the encoder's.
/// </summary>
public sealed class SpanHead
{
    public const string WeightName = "qa_outputs.weight";
    public const string BiasName = "qa_outputs.bias";

    /// <summary>A head with N(0, initializerRange²) weights and zero bias (BERT's initialisation), on the CPU until moved.</summary>
    public SpanHead(int hiddenSize, float initializerRange, int seed)
    {
        Parameters = new ParameterBuffer([(WeightName, [2, hiddenSize]), (BiasName, [2])]);
        var random = new Random(seed);
        var weights = Weight.Span;
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(initializerRange * NormalSample.Next(random));
        }
    }

    /// <summary>The head's own parameters: <see cref="Weight"/> then <see cref="Bias"/>.</summary>
    public ParameterBuffer Parameters { get; }

    public Tensor Weight => Parameters[WeightName]; // [2, H]

    public Tensor Bias => Parameters[BiasName];     // [2]

    /// <summary>
    /// sequenceOutput: [B, T, H]; <paramref name="answerPositions"/>: [B·T] row-major, true where an answer may start or
    /// end. Returns the span logits [2, B, T]: row b is example b's start logits, row B + b its end logits.
    /// </summary>
    public Tensor Forward(Tensor sequenceOutput, bool[] answerPositions)
    {
        int batch = sequenceOutput.Dim(0), length = sequenceOutput.Dim(1), hidden = Weight.Dim(1);
        if (sequenceOutput.Rank != 3 || sequenceOutput.Dim(2) != hidden || answerPositions.Length != batch * length)
        {
            throw new ArgumentException($"The span head expects [B, T, {hidden}] and B·T answer positions, not {Tensor.FormatShape(sequenceOutput.Shape)} and {answerPositions.Length}.");
        }

        // logits: [B·T, 2] = x · Wᵀ + b   (column 0: start, column 1: end)
        var logits = Tensor.Uninitialized(sequenceOutput.Device, batch * length, 2);
        TensorKernels.LinearForward(sequenceOutput, Weight, Bias, logits);
        // span: [2, B, T] = logits viewed as [B, T, 2], permuted (2, 0, 1)
        var span = Tensor.Uninitialized(sequenceOutput.Device, 2, batch, length);
        TensorKernels.Permute(logits, [batch, length, 2], [2, 0, 1], span, accumulate: false);
        // span += mask: 0 where an answer may be, MaskedScore elsewhere (the same for the start and the end row)
        TensorKernels.AddInto(span, MaskBias(answerPositions).To(sequenceOutput.Device));

        return Gradients.Record(span, "SpanHead", [sequenceOutput, Weight, Bias],
            spanGrad => Backward(spanGrad, sequenceOutput, batch, length));
    }

    private void Backward(Tensor spanGrad, Tensor sequenceOutput, int batch, int length)
    {
        // The mask is a constant: d span passes through it unchanged.
        // logitsGrad: [B, T, 2] = d span [2, B, T] permuted back (1, 2, 0)
        var logitsGrad = Tensor.Uninitialized(spanGrad.Device, batch * length, 2);
        TensorKernels.Permute(spanGrad, [2, batch, length], [1, 2, 0], logitsGrad, accumulate: false);
        // d x += dLogits · W;  dW += dLogitsᵀ · x;  db += Σ rows dLogits
        var inputGrad = sequenceOutput.RequiresGrad ? Gradients.Of(sequenceOutput) : null;
        TensorKernels.LinearBackward(logitsGrad, sequenceOutput, Weight, inputGrad, Gradients.Of(Weight), Gradients.Of(Bias));
    }

    /// <summary>The additive mask [2, B, T] on the host: 0 at answer positions, <see cref="BertForPreTraining.MaskedScore"/> elsewhere.</summary>
    private static Tensor MaskBias(bool[] answerPositions)
    {
        var bias = new float[2 * answerPositions.Length];
        for (int i = 0; i < answerPositions.Length; i++)
        {
            float value = answerPositions[i] ? 0f : BertForPreTraining.MaskedScore;
            bias[i] = value;
            bias[answerPositions.Length + i] = value;
        }
        return Tensor.FromValues(bias, bias.Length);
    }
}

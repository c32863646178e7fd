using MiniBioBert.Engine;
using MiniBioBert.Engine.Autograd;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Model.Downstream;

/// <summary>
/// The classifier of Hugging Face's <c>BertForTokenClassification</c> and <c>BertForSequenceClassification</c>:
/// logits = dropout(features) · Wᵀ + b. Token classification feeds it the encoder output [B, T, H]; sequence
/// classification the pooled [CLS] vector [B, H]. Its two parameters (<c>classifier.weight</c> [L, H],
/// <c>classifier.bias</c> [L]) live in a <see cref="ParameterBuffer"/> of their own, next to the encoder's. Forward and
/// backward run on the device of the features (through <see cref="TensorKernels"/>), which must be the parameters' device.
/// </summary>
public sealed class ClassifierHead
{
    public const string WeightName = "classifier.weight";
    public const string BiasName = "classifier.bias";

    /// <summary>A head with N(0, initializerRange²) weights and zero bias (BERT's initialisation), on the CPU until moved.</summary>
    public ClassifierHead(int hiddenSize, int labelCount, float dropoutProbability, float initializerRange, int seed)
    {
        if (labelCount < 1)
        {
            throw new ArgumentException($"A classifier needs at least one label, not {labelCount}.");
        }
        DropoutProbability = dropoutProbability;
        Parameters = new ParameterBuffer([(WeightName, [labelCount, hiddenSize]), (BiasName, [labelCount])]);
        var random = new Random(seed);
        var weights = Weight.Span;
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(initializerRange * NormalSample.Next(random));
        }
    }

    /// <summary>The head's own parameters: <see cref="Weight"/> then <see cref="Bias"/>.</summary>
    public ParameterBuffer Parameters { get; }

    public Tensor Weight => Parameters[WeightName]; // [L, H]

    public Tensor Bias => Parameters[BiasName];     // [L]

    public int LabelCount => Weight.Dim(0);

    public float DropoutProbability { get; }

    /// <summary>features: [..., H]. Returns logits [rows, L], one row per feature vector.</summary>
    public Tensor Forward(Tensor features, ForwardContext context)
    {
        int hidden = Weight.Dim(1);
        if (features.Dim(-1) != hidden)
        {
            throw new ArgumentException($"The classifier expects features of width {hidden}, not {Tensor.FormatShape(features.Shape)}.");
        }
        int rows = features.Size / hidden;

        // dropped: [rows, H] = dropout(features); mask is null when dropout is off
        var (dropped, mask) = context.Dropout(features, DropoutProbability);
        // logits: [rows, L] = dropped · Wᵀ + b
        var logits = Tensor.Uninitialized(features.Device, rows, LabelCount);
        TensorKernels.LinearForward(dropped, Weight, Bias, logits);

        return Gradients.Record(logits, "ClassifierHead", [features, Weight, Bias],
            logitsGrad => Backward(logitsGrad, features, dropped, mask));
    }

    private void Backward(Tensor logitsGrad, Tensor features, Tensor dropped, Tensor? mask)
    {
        var featuresGrad = features.RequiresGrad ? Gradients.Of(features) : null;
        if (mask is null || featuresGrad is null)
        {
            // No dropout: d features += dLogits · W directly.
            TensorKernels.LinearBackward(logitsGrad, dropped, Weight, featuresGrad, Gradients.Of(Weight), Gradients.Of(Bias));
            return;
        }
        // droppedGrad: [rows, H] = dLogits · W;  d features += droppedGrad ⊙ mask
        var droppedGrad = Tensor.Zeros(dropped.Device, dropped.ShapeArray());
        TensorKernels.LinearBackward(logitsGrad, dropped, Weight, droppedGrad, Gradients.Of(Weight), Gradients.Of(Bias));
        TensorKernels.MultiplyInto(featuresGrad, droppedGrad, mask);
    }
}

using MiniBioBert.Engine.Cpu;
using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Tests.Model.Layers;

/// <summary>
/// Proof 1 of the Model issue: every hand-written layer's forward and backward equal the autograd of the same layer
/// composed from Engine operations, with dropout on (both draw identical masks). The two differ only in the order
/// of float32 operations, so outputs and gradients agree to ≈ 1e-6 relative; the bound is 1e-5.
/// </summary>
public class HandWrittenBackwardTests
{
    private const int Ignored = CrossEntropyKernels.IgnoreIndex;

    private const double Tolerance = 1e-5;
    private const int Batch = 2, Length = 7;

    private static readonly BertConfig Config = new()
    {
        VocabSize = 23,
        HiddenSize = 12,
        NumHiddenLayers = 2,
        NumAttentionHeads = 3,
        IntermediateSize = 20,
        MaxPositionEmbeddings = 16,
        HiddenDropoutProb = 0.2f,
        AttentionProbsDropoutProb = 0.2f,
        InitializerRange = 0.3f,
    };

    private static BertForPreTraining NewModel()
    {
        var model = new BertForPreTraining(Config, seed: 3);
        // Non-trivial LayerNorm weights and biases, so those paths are exercised too.
        var random = new Random(9);
        foreach (var parameter in model.Parameters.Parameters.Where(p => p.Name.Contains("LayerNorm") || p.Name.EndsWith(".bias")))
        {
            var values = parameter.Value.Span;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += (float)(0.1 * random.NextGaussian());
            }
        }
        return model;
    }

    private static ForwardContext TrainingContext() => new() { Training = true, DropoutSeed = 77 };

    private static Tensor MaskFor(int[] attentionMask) =>
        Tensor.FromArray(attentionMask.Select(m => m == 1 ? 0f : BertForPreTraining.MaskedScore).ToArray(), Batch, Length);

    private static readonly int[] AttentionMask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];

    /// <summary>Runs both versions on a fresh copy of <paramref name="input"/> and compares output, input gradient and parameter gradients.</summary>
    private static void AssertSame(BertForPreTraining model, Tensor? input, Func<Tensor?, Tensor> handWritten, Func<Tensor?, Tensor> composed)
    {
        var (handOutput, handInputGrad, handParameterGrads) = Run(model, input, handWritten);
        var (composedOutput, composedInputGrad, composedParameterGrads) = Run(model, input, composed);
        TestData.AssertClose(handOutput, composedOutput, Tolerance, "output");
        if (input is not null)
        {
            TestData.AssertClose(handInputGrad!, composedInputGrad!, Tolerance, "input gradient");
        }
        foreach (var parameter in model.Parameters.Parameters)
        {
            var hand = handParameterGrads.AsSpan(parameter.Offset, parameter.Value.Size);
            var reference = composedParameterGrads.AsSpan(parameter.Offset, parameter.Value.Size).ToArray();
            TestData.AssertClose(hand, reference, Tolerance, "gradient of " + parameter.Name);
        }
    }

    private static (float[] Output, float[]? InputGrad, float[] ParameterGrads) Run(BertForPreTraining model, Tensor? input, Func<Tensor?, Tensor> layer)
    {
        model.Parameters.ZeroGradients();
        Tensor? copy = null;
        if (input is not null)
        {
            copy = Tensor.FromArray(input.ToArray(), input.ShapeArray());
            copy.RequiresGrad = true;
        }
        var output = layer(copy);
        var weights = TestData.Random(new Random(5), 1f, output.ShapeArray());
        var result = output.ToArray();
        Ops.Sum(Ops.Mul(output, weights)).Backward();
        return (result, copy?.Grad?.ToArray(), (float[])model.Parameters.Gradients.Clone());
    }

    private static Tensor Hidden() => TestData.Random(new Random(11), 1f, Batch, Length, Config.HiddenSize);

    [Test]
    public void Embeddings()
    {
        var model = NewModel();
        int[] ids = [2, 5, 9, 22, 3, 0, 7, 2, 5, 5, 3, 0, 0, 0];
        int[] types = [0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0];
        var hand = TrainingContext();
        var composed = TrainingContext();
        AssertSame(model, null,
            _ => model.Embeddings.Forward(ids, types, Batch, Length, hand),
            _ => ComposedLayers.Embeddings(model.Embeddings, Config, ids, types, Batch, Length, composed));
    }

    [Test]
    public void SelfAttentionWithPaddingMask()
    {
        var model = NewModel();
        var layer = model.Layers[1].SelfAttention;
        var hand = TrainingContext();
        var composed = TrainingContext();
        AssertSame(model, Hidden(),
            x => layer.Forward(x!, MaskFor(AttentionMask), hand),
            x => ComposedLayers.SelfAttention(layer, Config, x!, MaskFor(AttentionMask), composed));
    }

    [Test]
    public void AttentionOutputAndOutputBlocks()
    {
        var model = NewModel();
        var residual = TestData.Random(new Random(12), 1f, Batch, Length, Config.HiddenSize);
        var hand = TrainingContext();
        var composed = TrainingContext();
        var block = model.Layers[0].Output;
        var intermediateInput = TestData.Random(new Random(13), 1f, Batch, Length, Config.IntermediateSize);
        AssertSame(model, intermediateInput,
            x => block.Forward(x!, residual, hand),
            x => ComposedLayers.DenseResidualLayerNorm(block, Config, x!, residual, composed));
    }

    [Test]
    public void Intermediate()
    {
        var model = NewModel();
        var layer = model.Layers[0].Intermediate;
        AssertSame(model, Hidden(), x => layer.Forward(x!), x => ComposedLayers.Intermediate(layer, x!));
    }

    [Test]
    public void Pooler()
    {
        var model = NewModel();
        AssertSame(model, Hidden(), x => model.Pooler.Forward(x!), x => ComposedLayers.Pooler(model.Pooler, x!));
    }

    [Test]
    public void MlmHeadSparse()
    {
        var model = NewModel();
        int[] positions = [1, 4, 8, 9];
        AssertSame(model, Hidden(),
            x => model.MlmHead.Forward(x!, positions),
            x => ComposedLayers.MlmHead(model.MlmHead, Config, x!, positions));
    }

    [Test]
    public void SparseAndDenseMlmPathsAgree()
    {
        var model = NewModel();
        int[] labels = [Ignored, 4, Ignored, Ignored, 17, Ignored, Ignored, Ignored, 3, Ignored, Ignored, Ignored, Ignored, Ignored];
        var inputs = new PretrainingInputs(Batch, Length, [2, 4, 9, 22, 4, 0, 7, 2, 4, 5, 3, 0, 0, 0],
            [0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0], AttentionMask, labels, [0, 1]);
        var (sparseOutput, _, sparseGrads) = Run(model, null, _ => model.Forward(inputs, TrainingContext(), sparseMlm: true).Loss);
        var (denseOutput, _, denseGrads) = Run(model, null, _ => model.Forward(inputs, TrainingContext(), sparseMlm: false).Loss);
        TestData.AssertClose(sparseOutput, denseOutput, Tolerance, "loss");
        TestData.AssertClose(sparseGrads, denseGrads, Tolerance, "all gradients");
    }
}

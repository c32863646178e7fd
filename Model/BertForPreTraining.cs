using MiniBioBert.Engine;
using MiniBioBert.Engine.Kernels;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Initialization;
using MiniBioBert.Model.Layers;

namespace MiniBioBert.Model;

/// <summary>
/// Mini-BioBERT for pretraining: embeddings → encoder layers → pooler, with the masked-language-model head and
/// the next-sentence head, named and shaped exactly like Hugging Face's <c>BertForPreTraining</c>.
/// All parameters live in one flat <see cref="ParameterBuffer"/>, on the CPU until <see cref="MoveTo"/>; the forward
/// and backward passes run on the parameters' device.
/// </summary>
public sealed class BertForPreTraining
{
    /// <summary>The value added to attention scores of padding keys (as the PyTorch reference does).</summary>
    public const float MaskedScore = -10000f;

    public BertForPreTraining(BertConfig config, int seed = 0, PositionInit positionInit = PositionInit.Normal, AttentionInit attentionInit = AttentionInit.Normal)
    {
        config.Validate();
        Config = config;
        Parameters = new ParameterBuffer(BertParameterNames.For(config));
        Weights = BertParameters.Over(Parameters, config);
        Embeddings = new BertEmbeddings(Weights.Embeddings, config);
        Layers = [.. Weights.Layers.Select(layer => new BertLayer(layer, config))];
        Pooler = new BertPooler(Weights.Pooler);
        MlmHead = new MaskedLanguageModelHead(Weights.MlmHead, config);
        NspHead = new NextSentenceHead(Weights.NextSentence);
        Initialize(seed, positionInit, attentionInit);
    }

    public BertConfig Config { get; }

    /// <summary>Every parameter and gradient, back to back in one flat buffer (what AdamW, zeroing and checkpoints loop over).</summary>
    public ParameterBuffer Parameters { get; }

    /// <summary>The same parameters as typed views, the way the layers reach them.</summary>
    public BertParameters Weights { get; }

    /// <summary>The device the parameters live on, where forward and backward run.</summary>
    public Device Device => Parameters.Device;

    public BertEmbeddings Embeddings { get; }

    public IReadOnlyList<BertLayer> Layers { get; }

    public BertPooler Pooler { get; }

    public MaskedLanguageModelHead MlmHead { get; }

    public NextSentenceHead NspHead { get; }

    /// <summary>(Hugging Face name, tensor) for every parameter, in checkpoint order.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> NamedParameters => Parameters.Parameters.Select(p => (p.Name, p.Value)).ToArray();

    /// <summary>A model with the configuration and weights of a Hugging Face checkpoint directory.</summary>
    public static BertForPreTraining Load(string directory)
    {
        var model = new BertForPreTraining(CheckpointDirectory.ReadConfig(directory));
        CheckpointDirectory.LoadParameters(directory, model.NamedParameters);
        return model;
    }

    /// <summary>Moves every parameter and gradient to <paramref name="device"/> (see <see cref="ParameterBuffer.MoveTo"/>).</summary>
    public void MoveTo(Device device) => Parameters.MoveTo(device);

    /// <summary>
    /// Writes a Hugging Face checkpoint directory (atomically; see <see cref="CheckpointDirectory.Save"/>). Parameters
    /// on a GPU are downloaded first, so the checkpoint loads anywhere.
    /// </summary>
    public void Save(string directory, string vocabPath, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var parameters = Device.IsHost ? NamedParameters : NamedParameters.Select(p => (p.Name, p.Value.To(Device.Cpu))).ToArray();
        CheckpointDirectory.Save(directory, Config, parameters, vocabPath, metadata);
    }

    /// <summary>
    /// The encoder: returns the sequence output [B, T, H]. <paramref name="attentionMask"/> is [B·T] with 1 for
    /// real tokens and 0 for padding.
    /// </summary>
    public Tensor Encode(int[] inputIds, int[] tokenTypeIds, int[] attentionMask, int batchSize, int sequenceLength, ForwardContext context)
    {
        // additiveMask: [B, T] = 0 where attended, −10000 at padding keys (built on the host, then on the model's device)
        var hostMask = Tensor.Uninitialized(batchSize, sequenceLength);
        for (int i = 0; i < attentionMask.Length; i++)
        {
            hostMask.Span[i] = attentionMask[i] != 0 ? 0f : MaskedScore;
        }
        var additiveMask = hostMask.To(Device);
        var hidden = Embeddings.Forward(inputIds, tokenTypeIds, batchSize, sequenceLength, context); // [B, T, H]
        foreach (var layer in Layers)
        {
            hidden = layer.Forward(hidden, additiveMask, context);                                 // [B, T, H]
        }
        return hidden;
    }

    /// <summary>
    /// The pretraining forward pass. Loss = mean cross-entropy over masked tokens + cross-entropy of NSP.
    /// With <paramref name="sparseMlm"/> the MLM head scores only the masked positions; otherwise all of them
    /// (both give the same losses and gradients).
    /// </summary>
    public PretrainingOutput Forward(PretrainingInputs inputs, ForwardContext context, bool sparseMlm = true)
    {
        int batch = inputs.BatchSize, length = inputs.SequenceLength;
        var sequenceOutput = Encode(inputs.InputIds, inputs.TokenTypeIds, inputs.AttentionMask, batch, length, context); // [B, T, H]
        var pooled = Pooler.Forward(sequenceOutput);                                                                       // [B, H]

        // MLM: logits [M, V] at the masked positions (sparse) or [B·T, V] everywhere (dense)
        int[] mlmTargets = sparseMlm ? inputs.MaskedLabels : inputs.MlmLabels;
        var mlmLogits = MlmHead.Forward(sequenceOutput, sparseMlm ? inputs.MaskedPositions : null);
        var mlmLoss = Ops.CrossEntropy(mlmLogits, mlmTargets);

        // NSP: logits [B, 2]
        var nspLogits = NspHead.Forward(pooled);
        var nspLoss = Ops.CrossEntropy(nspLogits, inputs.NspLabels);

        var loss = Ops.Add(mlmLoss, nspLoss);
        // predictions: [M + B], the arg-max of each row of both logits, left on their device for the accuracies
        var predictions = TensorKernels.ArgMaxIndices(mlmLogits, nspLogits);
        return new PretrainingOutput(loss, mlmLoss, nspLoss, mlmLogits, nspLogits, predictions, mlmTargets, inputs.NspLabels);
    }

    /// <summary>
    /// BERT's initialisation: N(0, initializer_range²) weights and embeddings, zero biases, LayerNorm weight 1; with
    /// <see cref="PositionInit.Sinusoidal"/> the position embeddings then start as scaled sinusoids instead, and with
    /// <see cref="AttentionInit.Local"/> half of every layer's heads start looking at a fixed neighbour (<see cref="LocalAttentionHeads"/>).
    /// </summary>
    private void Initialize(int seed, PositionInit positionInit, AttentionInit attentionInit)
    {
        var random = new Random(seed);
        foreach (var parameter in Parameters.Parameters)
        {
            var values = parameter.Value.Span;
            if (parameter.Name.Contains("LayerNorm.weight", StringComparison.Ordinal))
            {
                values.Fill(1f);
            }
            else if (parameter.Name.EndsWith(".bias", StringComparison.Ordinal))
            {
                values.Clear();
            }
            else
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(Config.InitializerRange * NormalSample.Next(random));
                }
            }
        }
        if (positionInit == PositionInit.Sinusoidal)
        {
            SinusoidalPositions.Fill(Embeddings.PositionEmbeddings.Span, Config.MaxPositionEmbeddings, Config.HiddenSize, Config.InitializerRange);
        }
        if (attentionInit == AttentionInit.Local)
        {
            LocalAttentionHeads.FillPositions(Embeddings.PositionEmbeddings.Span, Config.MaxPositionEmbeddings, Config.HiddenSize, Config.HiddenSize / Config.NumAttentionHeads, Config.InitializerRange);
            foreach (var layer in Layers)
            {
                LocalAttentionHeads.AddToQueryAndKey(layer.SelfAttention.QueryWeight.Span, layer.SelfAttention.KeyWeight.Span, Config.HiddenSize, Config.NumAttentionHeads);
            }
        }
        // Hugging Face zeroes the padding token's embedding row.
        Embeddings.WordEmbeddings.Span.Slice(Config.PadTokenId * Config.HiddenSize, Config.HiddenSize).Clear();
    }
}

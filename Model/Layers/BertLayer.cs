using MiniBioBert.Engine;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// bert.encoder.layer.{i}: self-attention, its output block, the feed-forward expansion and its output block.
/// Each sub-layer records its own hand-written backward, so this class only wires them together.
/// </summary>
public sealed class BertLayer(EncoderLayerParameters parameters, BertConfig config)
{
    public BertSelfAttention SelfAttention { get; } = new(parameters, config);
    public DenseResidualLayerNorm AttentionOutput { get; } = new(parameters.AttentionOutput, parameters.AttentionLayerNorm, config);
    public BertIntermediate Intermediate { get; } = new(parameters.Intermediate, config);
    public DenseResidualLayerNorm Output { get; } = new(parameters.Output, parameters.OutputLayerNorm, config);

    /// <summary>hidden: [B, T, H]; additiveMask: [B, T]. Returns [B, T, H].</summary>
    public Tensor Forward(Tensor hidden, Tensor additiveMask, ForwardContext context)
    {
        var attentionContext = SelfAttention.Forward(hidden, additiveMask, context);           // [B, T, H]
        var attentionOutput = AttentionOutput.Forward(attentionContext, hidden, context);      // [B, T, H]
        var intermediate = Intermediate.Forward(attentionOutput);                              // [B, T, I]
        return Output.Forward(intermediate, attentionOutput, context);                         // [B, T, H]
    }
}

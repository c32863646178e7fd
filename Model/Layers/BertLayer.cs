using MiniBioBert.Engine;

namespace MiniBioBert.Model.Layers;

/// <summary>
/// bert.encoder.layer.{i}: self-attention, its output block, the feed-forward expansion and its output block.
/// Each sub-layer records its own hand-written backward, so this class only wires them together.
/// </summary>
public sealed class BertLayer(ParameterBuffer parameters, BertConfig config, int layerIndex)
{
    public BertSelfAttention SelfAttention { get; } = new(parameters, config, layerIndex);
    public DenseResidualLayerNorm AttentionOutput { get; } = new(parameters, config, $"bert.encoder.layer.{layerIndex}.attention.output.");
    public BertIntermediate Intermediate { get; } = new(parameters, config, layerIndex);
    public DenseResidualLayerNorm Output { get; } = new(parameters, config, $"bert.encoder.layer.{layerIndex}.output.");

    /// <summary>hidden: [B, T, H]; additiveMask: [B, T]. Returns [B, T, H].</summary>
    public Tensor Forward(Tensor hidden, Tensor additiveMask, ForwardContext context)
    {
        var attentionContext = SelfAttention.Forward(hidden, additiveMask, context);           // [B, T, H]
        var attentionOutput = AttentionOutput.Forward(attentionContext, hidden, context);      // [B, T, H]
        var intermediate = Intermediate.Forward(attentionOutput);                              // [B, T, I]
        return Output.Forward(intermediate, attentionOutput, context);                         // [B, T, H]
    }
}

namespace MiniBioBert.Engine.Autograd;

/// <summary>
/// One recorded operation of the autograd graph: which tensors went in, and how to send the output's
/// gradient back to them. <see cref="Backward"/> receives the output gradient and accumulates into the inputs' grads.
/// </summary>
public sealed class GraphNode(string operationName, Tensor[] inputs, Action<Tensor> backward)
{
    /// <summary>The operation's name, e.g. "MatMul" or "LayerNorm" (shown in the debugger).</summary>
    public string OperationName { get; } = operationName;

    /// <summary>The tensors this operation read.</summary>
    public Tensor[] Inputs { get; } = inputs;

    /// <summary>Accumulates d(loss)/d(input) into each input's <see cref="Tensor.Grad"/> given d(loss)/d(output).</summary>
    public Action<Tensor> Backward { get; } = backward;

    public override string ToString() => OperationName;
}

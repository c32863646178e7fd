namespace MiniBioBert.Engine.Autograd;

/// <summary>Helpers that operations use to record themselves and to reach their inputs' gradients.</summary>
public static class Gradients
{
    /// <summary>The gradient tensor of <paramref name="tensor"/>, created as zeros on its device on first use.</summary>
    public static Tensor Of(Tensor tensor)
    {
        tensor.Grad ??= Tensor.Zeros(tensor.Device, tensor.ShapeArray());
        return tensor.Grad;
    }

    /// <summary>
    /// The gradient tensor of <paramref name="tensor"/> for a backward that can write it whole: when it does not exist
    /// yet it is created uninitialised and <c>IsFresh</c> is true, and the caller must write every element instead of
    /// adding to it (this saves zero-filling large gradients such as the MLM logits'); otherwise the caller adds.
    /// </summary>
    public static (Tensor Grad, bool IsFresh) OfForWriting(Tensor tensor)
    {
        if (tensor.Grad is not null)
        {
            return (tensor.Grad, false);
        }
        tensor.Grad = Tensor.Uninitialized(tensor.Device, tensor.ShapeArray());
        return (tensor.Grad, true);
    }

    /// <summary>True when an operation on these inputs must be recorded for backward.</summary>
    public static bool ShouldRecord(params ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled)
        {
            return false;
        }
        foreach (var input in inputs)
        {
            if (input.RequiresGrad)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Marks <paramref name="output"/> as produced by an operation whose backward is <paramref name="backward"/>.</summary>
    public static Tensor Record(Tensor output, string operationName, Tensor[] inputs, Action<Tensor> backward)
    {
        if (OperationProfiler.Enabled)
        {
            OperationProfiler.RecordForward(operationName);
            backward = OperationProfiler.TimedBackward(operationName, backward);
        }
        if (ShouldRecord(inputs))
        {
            output.RequiresGrad = true;
            output.Node = new GraphNode(operationName, inputs, backward);
        }
        return output;
    }
}

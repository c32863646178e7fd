namespace MiniBioBert.Engine.Autograd;

/// <summary>
/// Reverse-mode differentiation, as in micrograd but per tensor: sort the graph topologically from the loss,
/// seed d(loss)/d(loss) = 1, then run each operation's backward in reverse order.
/// </summary>
public static class Backward
{
    /// <summary>Backpropagates from a one-element tensor and then frees the graph.</summary>
    public static void Run(Tensor loss)
    {
        if (loss.Size != 1)
        {
            throw new InvalidOperationException($"Backward starts from a scalar loss, not a tensor of shape {Tensor.FormatShape(loss.Shape)}.");
        }
        if (!loss.RequiresGrad)
        {
            throw new InvalidOperationException("The loss does not require gradients: no parameter took part in computing it (or it was computed under GradMode.NoGrad).");
        }

        var order = TopologicalOrder(loss);
        Kernels.TensorKernels.Fill(Gradients.Of(loss), 1f);

        for (int i = order.Count - 1; i >= 0; i--)
        {
            var tensor = order[i];
            var node = tensor.Node!;
            if (tensor.Grad is not null)
            {
                node.Backward(tensor.Grad);
            }
            // The node has done its work: drop it (and the activations its closure captured) and give the
            // intermediate gradient back to the pool right away, so peak memory stays low.
            tensor.Node = null;
            if (tensor.Grad is { } grad)
            {
                tensor.Grad = null;
                grad.ReturnToPool();
            }
        }
    }

    /// <summary>Every non-leaf tensor reachable from <paramref name="root"/>, inputs before outputs.</summary>
    public static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        // Iterative depth-first search: deep graphs must not overflow the stack.
        var stack = new Stack<(Tensor Tensor, int NextInput)>();
        if (root.Node is not null)
        {
            stack.Push((root, 0));
            visited.Add(root);
        }
        while (stack.Count > 0)
        {
            var (tensor, next) = stack.Pop();
            var inputs = tensor.Node!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((tensor, next + 1));
                var input = inputs[next];
                if (input.Node is not null && visited.Add(input))
                {
                    stack.Push((input, 0));
                }
            }
            else
            {
                order.Add(tensor);
            }
        }
        return order;
    }
}

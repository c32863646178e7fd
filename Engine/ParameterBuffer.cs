namespace MiniBioBert.Engine;

/// <summary>
/// All parameters of a model in one flat float array, and all their gradients in a second one of the same
/// layout (llm.c's design). Each parameter is a named <see cref="Tensor"/> view into <see cref="Values"/> whose
/// <see cref="Tensor.Grad"/> is the matching view into <see cref="Gradients"/>. Zeroing the gradients,
/// the optimizer step and checkpointing are then single loops over flat arrays.
/// </summary>
public sealed class ParameterBuffer
{
    private readonly Dictionary<string, Tensor> _byName = [];

    /// <summary>Lays out the given parameters back to back, in order.</summary>
    public ParameterBuffer(IReadOnlyList<(string Name, int[] Shape)> layout)
    {
        long total = 0;
        foreach (var (_, shape) in layout)
        {
            total += Tensor.ShapeSize(shape);
        }
        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"{total} parameters do not fit in one array.");
        }
        Values = new float[total];
        Gradients = new float[total];

        var parameters = new List<NamedParameter>(layout.Count);
        int offset = 0;
        foreach (var (name, shape) in layout)
        {
            var value = Tensor.ViewOf(Values, offset, shape);
            value.Name = name;
            value.RequiresGrad = true;
            value.Grad = Tensor.ViewOf(Gradients, offset, shape);
            if (!_byName.TryAdd(name, value))
            {
                throw new ArgumentException($"Parameter '{name}' appears twice in the layout.");
            }
            parameters.Add(new NamedParameter(name, value, offset));
            offset += value.Size;
        }
        Parameters = parameters;
    }

    /// <summary>Every parameter value, back to back.</summary>
    public float[] Values { get; }

    /// <summary>Every parameter gradient, in the layout of <see cref="Values"/>.</summary>
    public float[] Gradients { get; }

    /// <summary>The parameters in layout order.</summary>
    public IReadOnlyList<NamedParameter> Parameters { get; }

    /// <summary>Total number of parameters.</summary>
    public int Count => Values.Length;

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    public Tensor this[string name] => _byName.TryGetValue(name, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"There is no parameter named '{name}'.");

    /// <summary>Sets every gradient to zero (once per optimizer step; backward accumulates).</summary>
    public void ZeroGradients() => Array.Clear(Gradients);
}

/// <summary>One parameter: its name, its tensor (a view into the flat buffer) and where it starts there.</summary>
public sealed record NamedParameter(string Name, Tensor Value, int Offset);

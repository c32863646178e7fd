using MiniBioBert.Model;

namespace MiniBioBert.Training.Export;

/// <summary>The few layer shapes BERT repeats, each as a handful of standard ONNX nodes on one <see cref="OnnxGraphBuilder"/>.</summary>
internal sealed class OnnxLayers(OnnxGraphBuilder graph, float layerNormEps)
{
    private readonly Dictionary<Engine.Tensor, string> _initializers = new(ReferenceEqualityComparer.Instance);

    public OnnxGraphBuilder Graph => graph;

    /// <summary>The initializer holding <paramref name="tensor"/>, added once under its Hugging Face name (tied weights share it).</summary>
    public string Weight(Engine.Tensor tensor)
    {
        if (!_initializers.TryGetValue(tensor, out var name))
        {
            name = graph.Initializer(tensor.Name ?? throw new ArgumentException("A parameter to export must have a name."), tensor);
            _initializers[tensor] = name;
        }
        return name;
    }

    /// <summary>y [..., out] = x [..., in] · Wᵀ + b, with W kept in PyTorch's [out, in] layout (ONNX Runtime folds the Transpose).</summary>
    public string Linear(string x, LinearParameters parameters)
    {
        string weightT = graph.Op("Transpose", [Weight(parameters.Weight)], OnnxGraphBuilder.Attribute("perm", new long[] { 1, 0 }));
        return graph.Op("Add", [graph.Op("MatMul", [x, weightT]), Weight(parameters.Bias)]);
    }

    /// <summary>LayerNorm over the last axis, with the model's ε.</summary>
    public string LayerNorm(string x, LayerNormParameters parameters) =>
        graph.Op("LayerNormalization", [x, Weight(parameters.Weight), Weight(parameters.Bias)],
            OnnxGraphBuilder.Attribute("axis", -1L), OnnxGraphBuilder.Attribute("epsilon", layerNormEps));

    /// <summary>The exact GELU: 0.5 · x · (1 + erf(x / √2)).</summary>
    public string Gelu(string x)
    {
        string erf = graph.Op("Erf", [graph.Op("Div", [x, graph.Scalar(MathF.Sqrt(2f))])]);
        string onePlusErf = graph.Op("Add", [erf, graph.Scalar(1f)]);
        return graph.Op("Mul", [graph.Op("Mul", [x, graph.Scalar(0.5f)]), onePlusErf]);
    }
}

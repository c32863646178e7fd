using Google.Protobuf;
using MiniBioBert.Engine;
using Onnx;

namespace MiniBioBert.Training.Export;

/// <summary>
/// Builds one ONNX graph with OnnxSharp's protobuf types: weights become float initializers, every operator call adds
/// one node and returns the name of its output. Names are unique by construction (a counter per prefix), so the
/// exporters read like the forward pass they mirror.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The default ONNX domain's opset the graph targets (LayerNormalization needs 17).</summary>
    public const long OpsetVersion = 17;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName)
    {
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>Declares a graph input of element type <paramref name="type"/>; a dimension is a symbolic name (dynamic) or a size.</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[] dimensions)
    {
        _graph.Input.Add(ValueInfo(name, type, dimensions));
        return name;
    }

    /// <summary>Names <paramref name="value"/> as the graph output <paramref name="name"/> (through an Identity node).</summary>
    public void Output(string value, string name, TensorProto.Types.DataType type, params object[] dimensions)
    {
        Node("Identity", [value], [name]);
        _graph.Output.Add(ValueInfo(name, type, dimensions));
    }

    /// <summary>A float initializer named <paramref name="name"/> with the values and shape of <paramref name="tensor"/> (read on the host).</summary>
    public string Initializer(string name, Tensor tensor)
    {
        var host = tensor.Device.IsHost ? tensor : tensor.To(Device.Cpu);
        return FloatInitializer(name, host.ShapeArray().Select(d => (long)d).ToArray(), host.Span);
    }

    /// <summary>A float initializer of any shape from <paramref name="values"/>.</summary>
    public string FloatInitializer(string name, long[] shape, ReadOnlySpan<float> values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(shape);
        byte[] bytes = new byte[values.Length * sizeof(float)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian.");
        }
        proto.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A float scalar constant (an initializer of rank 0).</summary>
    public string Scalar(float value) => FloatInitializer(Unique("const"), [], [value]);

    /// <summary>An int64 constant of shape [values.Length] (shapes, axes, indices).</summary>
    public string Int64s(params long[] values)
    {
        var proto = new TensorProto { Name = Unique("const"), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        _graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>An int64 scalar constant (an index, or a value to compare with).</summary>
    public string Int64Scalar(long value)
    {
        var proto = new TensorProto { Name = Unique("const"), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Int64Data.Add(value);
        _graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a node of <paramref name="opType"/> with one new output, and returns that output's name.</summary>
    public string Op(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        string output = Unique(opType);
        Node(opType, inputs, [output], attributes);
        return output;
    }

    public static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attribute(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>The model: this graph, opset <see cref="OpsetVersion"/>, who produced it, and <paramref name="metadata"/> (ONNX's metadata_props).</summary>
    public ModelProto Build(IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "MiniBioBert",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model;
    }

    private void Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Unique(opType + "_node") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    private string Unique(string prefix)
    {
        _counters.TryGetValue(prefix, out int count);
        _counters[prefix] = count + 1;
        return $"{prefix}_{count}";
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var dimension in dimensions)
        {
            shape.Dim.Add(dimension switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"A dimension is a symbolic name or an int, not {dimension}."),
            });
        }
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}

using MiniBioBert.Engine;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// One tensor described by a safetensors header: its name, element type, shape and where its bytes lie.
/// <see cref="Begin"/> and <see cref="End"/> are byte offsets relative to the start of the data buffer
/// (the first byte after the header), <c>End</c> exclusive.
/// </summary>
public sealed class SafeTensorsEntry
{
    private readonly int[] _shape;

    internal SafeTensorsEntry(string name, SafeTensorsDType dtype, int[] shape, long begin, long end)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        Begin = begin;
        End = end;
        ElementCount = Tensor.ShapeSize(shape);
    }

    /// <summary>The tensor's key in the header.</summary>
    public string Name { get; }

    /// <summary>The element type stored in the file.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>The shape, outermost dimension first (empty for a scalar).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>A copy of the shape.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>Product of the shape (1 for a scalar).</summary>
    public int ElementCount { get; }

    /// <summary>First byte of the tensor, relative to the data buffer.</summary>
    public long Begin { get; }

    /// <summary>One past the last byte of the tensor, relative to the data buffer.</summary>
    public long End { get; }

    public override string ToString() => $"{Name} {DType.HeaderName()} {Tensor.FormatShape(_shape)}";
}

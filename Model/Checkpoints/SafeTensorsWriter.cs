using MiniBioBert.Engine.IO;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using MiniBioBert.Engine;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// Collects tensors and writes them as one safetensors file: the 8-byte little-endian header length,
/// the JSON header (<c>__metadata__</c> first, then the tensors in the order they were added, padded with
/// spaces to a multiple of 8 bytes so the data starts aligned), then the tensors' little-endian bytes back to back.
/// The values are not copied when added: they are read when <see cref="Write"/> runs.
/// </summary>
public sealed class SafeTensorsWriter
{
    private const int ChunkElements = 1 << 18;

    private sealed record PendingTensor(string Name, SafeTensorsDType DType, int[] Shape, long ByteLength, Action<Stream> WriteData);

    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _names = [];
    private readonly SortedDictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>Adds a float32 tensor; <paramref name="values"/> holds product(<paramref name="shape"/>) elements, row-major.</summary>
    public void AddFloat32(string name, ReadOnlyMemory<float> values, params ReadOnlySpan<int> shape) =>
        Add(name, SafeTensorsDType.F32, values, shape);

    /// <summary>Adds an int64 tensor.</summary>
    public void AddInt64(string name, ReadOnlyMemory<long> values, params ReadOnlySpan<int> shape) =>
        Add(name, SafeTensorsDType.I64, values, shape);

    /// <summary>Adds an int32 tensor.</summary>
    public void AddInt32(string name, ReadOnlyMemory<int> values, params ReadOnlySpan<int> shape) =>
        Add(name, SafeTensorsDType.I32, values, shape);

    /// <summary>Adds <paramref name="tensor"/>'s elements and shape as a float32 tensor.</summary>
    public void Add(string name, Tensor tensor) =>
        AddFloat32(name, tensor.Data.AsMemory(tensor.Offset, tensor.Size), tensor.Shape);

    /// <summary>Adds a <c>__metadata__</c> entry (written in ordinal key order).</summary>
    public void AddMetadata(string key, string value)
    {
        if (!_metadata.TryAdd(key, value))
        {
            throw new ArgumentException($"Metadata key '{key}' was already added.", nameof(key));
        }
    }

    /// <summary>Writes the file atomically (temporary file, then rename over <paramref name="path"/>).</summary>
    public void Write(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the file's bytes to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        byte[] header = BuildHeader();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var tensor in _tensors)
        {
            tensor.WriteData(stream);
        }
    }

    private void Add<T>(string name, SafeTensorsDType dtype, ReadOnlyMemory<T> values, ReadOnlySpan<int> shape)
        where T : unmanaged
    {
        if (name == SafeTensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"'{name}' is reserved for metadata and cannot name a tensor.", nameof(name));
        }
        int size = Tensor.ShapeSize(shape);
        if (size != values.Length)
        {
            throw new ArgumentException($"Tensor '{name}': {values.Length} values do not fill shape {Tensor.FormatShape(shape)}.", nameof(values));
        }
        if (!_names.Add(name))
        {
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
        }
        long byteLength = (long)size * dtype.ElementSize();
        _tensors.Add(new PendingTensor(name, dtype, shape.ToArray(), byteLength, stream => WriteLittleEndian(stream, values.Span)));
    }

    /// <summary>The header JSON, padded with spaces to a multiple of 8 bytes.</summary>
    private byte[] BuildHeader()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in _metadata)
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var tensor in _tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType.HeaderName());
                json.WriteStartArray("shape");
                foreach (int dim in tensor.Shape)
                {
                    json.WriteNumberValue(dim);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.ByteLength;
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteLittleEndian<T>(Stream stream, ReadOnlySpan<T> values) where T : unmanaged
    {
        for (int start = 0; start < values.Length; start += ChunkElements)
        {
            var bytes = MemoryMarshal.AsBytes(values.Slice(start, Math.Min(ChunkElements, values.Length - start)));
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(bytes);
            }
            else
            {
                byte[] swapped = bytes.ToArray();
                SafeTensorsElements.SwapIfBigEndian(swapped, Unsafe.SizeOf<T>());
                stream.Write(swapped);
            }
        }
    }
}

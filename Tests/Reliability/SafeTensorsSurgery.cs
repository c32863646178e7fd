using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniBioBert.Tests.Reliability;

/// <summary>Byte-level edits of a safetensors file: its header as JSON, its data buffer as bytes.</summary>
internal sealed class SafeTensorsSurgery
{
    private SafeTensorsSurgery(JsonObject header, byte[] data)
    {
        Header = header;
        Data = data;
    }

    /// <summary>The parsed header: tensor name → {dtype, shape, data_offsets}, plus <c>__metadata__</c>.</summary>
    public JsonObject Header { get; }

    /// <summary>The bytes after the header.</summary>
    public byte[] Data { get; set; }

    public static SafeTensorsSurgery Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        var header = (JsonObject)JsonNode.Parse(bytes.AsSpan(8, headerLength))!;
        return new SafeTensorsSurgery(header, bytes[(8 + headerLength)..]);
    }

    /// <summary>The tensor entries (metadata left out), in header order.</summary>
    public IEnumerable<(string Name, JsonObject Entry)> Tensors =>
        Header.Where(p => p.Key != "__metadata__").Select(p => (p.Key, (JsonObject)p.Value!));

    public static (long Begin, long End) Offsets(JsonObject entry) =>
        ((long)entry["data_offsets"]![0]!, (long)entry["data_offsets"]![1]!);

    public static void SetOffsets(JsonObject entry, long begin, long end) => entry["data_offsets"] = new JsonArray(begin, end);

    public void Write(string path) => File.WriteAllBytes(path, Assemble(Encoding.UTF8.GetBytes(Header.ToJsonString()), Data));

    /// <summary>A file of an 8-byte length prefix, <paramref name="header"/> and <paramref name="data"/>.</summary>
    public static byte[] Assemble(byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }
}

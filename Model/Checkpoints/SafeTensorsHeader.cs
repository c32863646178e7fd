using System.Text;
using System.Text.Json;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// Parses and validates the JSON header of a safetensors file:
/// <c>{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ..., "__metadata__": {"k": "v"}}</c>.
/// Every problem becomes an <see cref="InvalidDataException"/> naming the file and, where there is one, the tensor.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>The reserved key holding free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads the header bytes. <paramref name="bufferLength"/> is the number of bytes after the header:
    /// the tensors must tile it exactly, starting at 0, without gaps or overlaps.
    /// </summary>
    public static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> headerBytes, long bufferLength, string path)
    {
        using var document = ParseJson(headerBytes, path);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, $"the header must be a JSON object, not {document.RootElement.ValueKind}.");
        }
        var entries = new List<SafeTensorsEntry>();
        var metadata = new Dictionary<string, string>();
        var seen = new HashSet<string>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw Fail(path, $"the header names '{property.Name}' twice.");
            }
            if (property.Name == MetadataKey)
            {
                ReadMetadata(property.Value, metadata, path);
            }
            else
            {
                entries.Add(ReadEntry(property.Name, property.Value, bufferLength, path));
            }
        }
        CheckTiling(entries, bufferLength, path);
        return (entries, metadata);
    }

    private static JsonDocument ParseJson(ReadOnlySpan<byte> headerBytes, string path)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(path, "the header is not valid UTF-8.");
        }
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Fail(path, $"the header is not valid JSON ({e.Message}).");
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, $"{MetadataKey} must be an object of strings, not {element.ValueKind}.");
        }
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Fail(path, $"{MetadataKey} value '{item.Name}' must be a string, not {item.Value.ValueKind}.");
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw Fail(path, $"{MetadataKey} names '{item.Name}' twice.");
            }
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement element, long bufferLength, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw FailTensor(path, name, $"the entry must be an object, not {element.ValueKind}.");
        }
        var dtype = ReadDType(name, Field(element, "dtype", name, path), path);
        int[] shape = ReadShape(name, Field(element, "shape", name, path), path);
        var (begin, end) = ReadOffsets(name, Field(element, "data_offsets", name, path), path);

        long elementCount = 1;
        foreach (int dim in shape)
        {
            elementCount *= dim;
            if (elementCount > Array.MaxLength)
            {
                throw FailTensor(path, name, $"shape {FormatShape(shape)} has more elements than an array can hold.");
            }
        }
        long expectedBytes = elementCount * dtype.ElementSize();
        if (end - begin != expectedBytes)
        {
            throw FailTensor(path, name,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes, but shape {FormatShape(shape)} of {dtype.HeaderName()} needs {expectedBytes}.");
        }
        if (end > bufferLength)
        {
            throw FailTensor(path, name,
                $"data_offsets [{begin}, {end}] run past the end of the file (the data buffer holds {bufferLength} bytes).");
        }
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static JsonElement Field(JsonElement entry, string field, string name, string path) =>
        entry.TryGetProperty(field, out var value) ? value : throw FailTensor(path, name, $"the entry has no \"{field}\".");

    private static SafeTensorsDType ReadDType(string name, JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw FailTensor(path, name, $"dtype must be a string, not {element.ValueKind}.");
        }
        string text = element.GetString()!;
        return SafeTensorsDTypes.TryParse(text, out var dtype)
            ? dtype
            : throw FailTensor(path, name, $"unknown dtype \"{text}\" (known: {SafeTensorsDTypes.AllHeaderNames}).");
    }

    private static int[] ReadShape(string name, JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw FailTensor(path, name, $"shape must be an array of integers, not {element.ValueKind}.");
        }
        var shape = new int[element.GetArrayLength()];
        int d = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long dim))
            {
                throw FailTensor(path, name, $"shape dimension {d} is not an integer: {item.GetRawText()}.");
            }
            if (dim < 0)
            {
                throw FailTensor(path, name, $"shape dimension {d} is negative ({dim}).");
            }
            if (dim > int.MaxValue)
            {
                throw FailTensor(path, name, $"shape dimension {d} is too large ({dim}).");
            }
            shape[d++] = (int)dim;
        }
        return shape;
    }

    private static (long Begin, long End) ReadOffsets(string name, JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
        {
            throw FailTensor(path, name, $"data_offsets must be an array [begin, end], not {element.GetRawText()}.");
        }
        long begin = ReadOffset(element[0]);
        long end = ReadOffset(element[1]);
        if (begin < 0 || end < 0)
        {
            throw FailTensor(path, name, $"data_offsets {element.GetRawText()} must be non-negative integers.");
        }
        if (end < begin)
        {
            throw FailTensor(path, name, $"data_offsets [{begin}, {end}] end before they begin.");
        }
        return (begin, end);

        static long ReadOffset(JsonElement item) =>
            item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out long value) ? value : -1;
    }

    /// <summary>The tensors, sorted by offset, must cover [0, bufferLength) exactly once.</summary>
    private static void CheckTiling(List<SafeTensorsEntry> entries, long bufferLength, string path)
    {
        var byOffset = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expectedBegin = 0;
        foreach (var entry in byOffset)
        {
            if (entry.Begin > expectedBegin)
            {
                throw FailTensor(path, entry.Name, expectedBegin == 0
                    ? $"data_offsets start at {entry.Begin}; the first tensor must start at 0."
                    : $"data_offsets start at {entry.Begin}, leaving a gap after byte {expectedBegin}.");
            }
            if (entry.Begin < expectedBegin)
            {
                throw FailTensor(path, entry.Name, $"data_offsets [{entry.Begin}, {entry.End}] overlap the previous tensor, which ends at {expectedBegin}.");
            }
            expectedBegin = entry.End;
        }
        if (expectedBegin != bufferLength)
        {
            throw Fail(path, $"the tensors cover {expectedBegin} bytes, but the data buffer holds {bufferLength}.");
        }
    }

    private static string FormatShape(int[] shape) => Engine.Tensor.FormatShape(shape);

    public static InvalidDataException Fail(string path, string problem) => new($"{path}: {problem}");

    public static InvalidDataException FailTensor(string path, string name, string problem) => new($"{path}: tensor '{name}': {problem}");
}

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MiniBioBert.Engine;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// Reads a safetensors file: an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing
/// each tensor, then the tensors' bytes. <see cref="Open"/> validates the whole header against the file's
/// length; tensors are then read on demand at their offsets (the file stays open until <see cref="Dispose"/>).
/// Every malformed input raises <see cref="InvalidDataException"/> naming the file, the tensor and the problem.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The largest header accepted (the same cap as the reference implementation).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>Elements converted per read, bounding the scratch memory of non-F32 reads.</summary>
    private const int ChunkElements = 1 << 18;

    private delegate void Converter<T>(SafeTensorsDType dtype, ReadOnlySpan<byte> raw, Span<T> destination);

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;

    private SafeTensorsFile(string path, SafeFileHandle handle, long dataStart, List<SafeTensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
        _byName = entries.ToDictionary(e => e.Name);
    }

    /// <summary>The file this was opened from (used in error messages).</summary>
    public string Path { get; }

    /// <summary>The tensors in the order the header lists them.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The tensor names in the order the header lists them.</summary>
    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    /// <summary>The header's <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens <paramref name="path"/> and validates its header.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file.</exception>
    public static SafeTensorsFile Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
            {
                throw SafeTensorsHeader.Fail(path, $"the file has {fileLength} bytes, fewer than the 8-byte header length.");
            }
            Span<byte> lengthBytes = stackalloc byte[8];
            ReadExactly(handle, 0, lengthBytes, path);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > MaxHeaderLength)
            {
                throw SafeTensorsHeader.Fail(path, $"the header length {headerLength} exceeds the {MaxHeaderLength}-byte limit.");
            }
            if ((long)headerLength > fileLength - 8)
            {
                throw SafeTensorsHeader.Fail(path, $"the header length {headerLength} is larger than the {fileLength - 8} bytes after it.");
            }
            var headerBytes = new byte[headerLength];
            ReadExactly(handle, 8, headerBytes, path);
            long dataStart = 8 + (long)headerLength;
            var (entries, metadata) = SafeTensorsHeader.Parse(headerBytes, fileLength - dataStart, path);
            return new SafeTensorsFile(path, handle, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>True when the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of tensor <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The file has no such tensor.</exception>
    public SafeTensorsEntry Entry(string name) =>
        _byName.TryGetValue(name, out var entry) ? entry : throw new ArgumentException($"{Path}: there is no tensor '{name}'.", nameof(name));

    /// <summary>Tensor <paramref name="name"/> as float32 (F64, F16 and BF16 are converted).</summary>
    public float[] ReadFloats(string name)
    {
        var values = new float[Entry(name).ElementCount];
        ReadFloatsInto(name, values);
        return values;
    }

    /// <summary>Tensor <paramref name="name"/> as a new float32 <see cref="Tensor"/> of the stored shape.</summary>
    public Tensor ReadTensor(string name) => Tensor.FromArray(ReadFloats(name), Entry(name).ShapeArray());

    /// <summary>
    /// Reads tensor <paramref name="name"/> as float32 into <paramref name="destination"/>, which must hold exactly
    /// its element count (F32 is read straight into it; F64, F16 and BF16 are converted).
    /// </summary>
    /// <exception cref="InvalidDataException">The stored type is not floating-point.</exception>
    public void ReadFloatsInto(string name, Span<float> destination)
    {
        var entry = Entry(name);
        if (!entry.DType.IsFloatingPoint())
        {
            throw SafeTensorsHeader.FailTensor(Path, name, $"holds {entry.DType.HeaderName()}, not a floating-point type.");
        }
        ReadElements(entry, destination, SafeTensorsDType.F32, SafeTensorsElements.ToFloats);
    }

    /// <summary>Tensor <paramref name="name"/> as int64 (I32, I16, I8 and U8 are widened).</summary>
    /// <exception cref="InvalidDataException">The stored type is not an integer type.</exception>
    public long[] ReadInt64s(string name)
    {
        var entry = Entry(name);
        if (!entry.DType.IsInteger())
        {
            throw SafeTensorsHeader.FailTensor(Path, name, $"holds {entry.DType.HeaderName()}, not an integer type.");
        }
        var values = new long[entry.ElementCount];
        ReadElements(entry, values.AsSpan(), SafeTensorsDType.I64, SafeTensorsElements.ToInt64s);
        return values;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Reads <paramref name="entry"/> chunk by chunk: straight into <paramref name="destination"/> when the stored type
    /// is <paramref name="sameLayout"/>, otherwise through a scratch buffer and <paramref name="convert"/>.
    /// </summary>
    private void ReadElements<T>(SafeTensorsEntry entry, Span<T> destination, SafeTensorsDType sameLayout, Converter<T> convert)
        where T : unmanaged
    {
        if (destination.Length != entry.ElementCount)
        {
            throw new ArgumentException($"{Path}: tensor '{entry.Name}' has {entry.ElementCount} elements, but the destination holds {destination.Length}.");
        }
        int elementSize = entry.DType.ElementSize();
        byte[]? scratch = entry.DType == sameLayout ? null : ArrayPool<byte>.Shared.Rent(ChunkElements * elementSize);
        try
        {
            for (int start = 0; start < destination.Length; start += ChunkElements)
            {
                int count = Math.Min(ChunkElements, destination.Length - start);
                long fileOffset = _dataStart + entry.Begin + (long)start * elementSize;
                var chunk = destination.Slice(start, count);
                if (scratch is null)
                {
                    var bytes = MemoryMarshal.AsBytes(chunk);
                    ReadExactly(_handle, fileOffset, bytes, Path);
                    SafeTensorsElements.SwapIfBigEndian(bytes, elementSize);
                }
                else
                {
                    var raw = scratch.AsSpan(0, count * elementSize);
                    ReadExactly(_handle, fileOffset, raw, Path);
                    convert(entry.DType, raw, chunk);
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    private static void ReadExactly(SafeFileHandle handle, long fileOffset, Span<byte> buffer, string path)
    {
        while (buffer.Length > 0)
        {
            int read = RandomAccess.Read(handle, buffer, fileOffset);
            if (read == 0)
            {
                throw SafeTensorsHeader.Fail(path, $"the file ended at byte {fileOffset}, before the data its header describes (was it truncated?).");
            }
            buffer = buffer[read..];
            fileOffset += read;
        }
    }
}

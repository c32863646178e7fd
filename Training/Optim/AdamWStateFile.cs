using MiniBioBert.Engine.IO;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Training.Optim;

/// <summary>
/// Saves and restores an <see cref="AdamW"/> (hyperparameters, segments, step count, m and v) for resuming a run.
/// Little-endian binary, version 1:
/// <code>
/// "MBBADAMW"                      8 bytes magic
/// version                         int32 (= 1)
/// β1, β2, ε, weight decay         4 × float64
/// step count                      int64
/// segment count S                 int32
/// S × (offset int32, length int32, decay uint8)
/// m                               N × float32   (N = Σ segment lengths)
/// v                               N × float32
/// CRC-32 of all bytes above       uint32
/// </code>
/// Saving is atomic (<c>path.tmp</c>, then rename). Loading checks everything and throws
/// <see cref="InvalidDataException"/> naming the file and the problem.
/// </summary>
internal static class AdamWStateFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int Version = 1;

    private const int HeaderBytes = 8 + 4 + 4 * 8 + 8 + 4;
    private const int SegmentBytes = 4 + 4 + 1;
    private static readonly byte[] Magic = "MBBADAMW"u8.ToArray();

    /// <summary>Writes the optimizer's full state to <paramref name="path"/>.</summary>
    public static void Save(AdamW optimizer, string path)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireLittleEndian();
        AtomicFile.Write(path, stream =>
        {
            var writer = new ChecksummedWriter(stream);
            writer.Write(Magic);
            writer.WriteInt32(Version);
            writer.WriteDouble(optimizer.Options.Beta1);
            writer.WriteDouble(optimizer.Options.Beta2);
            writer.WriteDouble(optimizer.Options.Epsilon);
            writer.WriteDouble(optimizer.Options.WeightDecay);
            writer.WriteInt64(optimizer.StepCount);
            writer.WriteInt32(optimizer.Segments.Count);
            foreach (ParameterSegment segment in optimizer.Segments)
            {
                writer.WriteInt32(segment.Offset);
                writer.WriteInt32(segment.Length);
                writer.Write([segment.Decay ? (byte)1 : (byte)0]);
            }
            writer.Write(MemoryMarshal.AsBytes(optimizer.FirstMoment));
            writer.Write(MemoryMarshal.AsBytes(optimizer.SecondMoment));
            Span<byte> checksum = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(checksum, writer.Checksum);
            stream.Write(checksum);
        });
    }

    /// <summary>A new optimizer with the hyperparameters, segments, step count and moments stored in <paramref name="path"/>.</summary>
    public static AdamW Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireLittleEndian();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var reader = new ChecksummedReader(stream, path);

        var (options, stepCount) = ReadHeader(reader, path);
        var (segments, parameterCount) = ReadSegments(reader, path, stream.Length);
        long expectedBytes = HeaderBytes + (long)segments.Length * SegmentBytes + 2 * 4 * parameterCount + 4;
        if (stream.Length != expectedBytes)
        {
            throw Invalid(path, $"file has {stream.Length} bytes; {parameterCount} parameters in {segments.Length} segments need {expectedBytes}");
        }

        AdamW optimizer;
        try
        {
            optimizer = new AdamW(segments, options);
        }
        catch (ArgumentException e)
        {
            throw Invalid(path, e.Message);
        }

        float[] firstMoment = new float[optimizer.ParameterCount];
        float[] secondMoment = new float[optimizer.ParameterCount];
        reader.Read(MemoryMarshal.AsBytes(firstMoment.AsSpan()), "the first moment m");
        reader.Read(MemoryMarshal.AsBytes(secondMoment.AsSpan()), "the second moment v");
        uint computed = reader.Checksum;
        uint stored = reader.ReadUInt32("the checksum");
        if (stored != computed)
        {
            throw Invalid(path, $"checksum mismatch (stored 0x{stored:X8}, computed 0x{computed:X8}): the file is corrupted");
        }

        optimizer.RestoreState(stepCount, firstMoment, secondMoment);
        return optimizer;
    }

    /// <summary>The magic bytes, the version, the hyperparameters and the step count.</summary>
    private static (AdamWOptions Options, long StepCount) ReadHeader(ChecksummedReader reader, string path)
    {
        byte[] magic = new byte[Magic.Length];
        reader.Read(magic, "the magic bytes");
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw Invalid(path, $"not an AdamW state file (starts with \"{Encoding.ASCII.GetString(magic)}\", expected \"MBBADAMW\")");
        }
        int version = reader.ReadInt32("the version");
        if (version != Version)
        {
            throw Invalid(path, $"unsupported version {version} (this code reads version {Version})");
        }

        var options = new AdamWOptions
        {
            Beta1 = reader.ReadDouble("beta1"),
            Beta2 = reader.ReadDouble("beta2"),
            Epsilon = reader.ReadDouble("epsilon"),
            WeightDecay = reader.ReadDouble("weight decay"),
        };
        long stepCount = reader.ReadInt64("the step count");
        if (stepCount < 0)
        {
            throw Invalid(path, $"negative step count {stepCount}");
        }
        return (options, stepCount);
    }

    /// <summary>The segment table (offset, length, decay flag) and the number of parameters it covers.</summary>
    private static (ParameterSegment[] Segments, long ParameterCount) ReadSegments(ChecksummedReader reader, string path, long fileLength)
    {
        int segmentCount = reader.ReadInt32("the segment count");
        if (segmentCount < 0 || HeaderBytes + (long)segmentCount * SegmentBytes > fileLength)
        {
            throw Invalid(path, $"segment count {segmentCount} does not fit a file of {fileLength} bytes");
        }
        var segments = new ParameterSegment[segmentCount];
        long parameterCount = 0;
        for (int i = 0; i < segmentCount; i++)
        {
            int offset = reader.ReadInt32($"segment {i}");
            int length = reader.ReadInt32($"segment {i}");
            byte decay = reader.ReadByte($"segment {i}");
            if (decay > 1)
            {
                throw Invalid(path, $"segment {i} has decay flag {decay} (expected 0 or 1)");
            }
            segments[i] = new ParameterSegment(offset, length, decay == 1);
            parameterCount += Math.Max(0, length);
        }
        return (segments, parameterCount);
    }

    private static InvalidDataException Invalid(string path, string problem) =>
        new($"AdamW state file '{path}': {problem}.");

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("AdamW state files are stored little-endian; this machine is big-endian.");
        }
    }

    /// <summary>Writes bytes and keeps a running CRC-32 of them.</summary>
    private sealed class ChecksummedWriter(Stream stream)
    {
        private readonly Crc32 _crc = new();

        public uint Checksum => _crc.Value;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            _crc.Append(bytes);
            stream.Write(bytes);
        }

        public void WriteInt32(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteInt64(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteDouble(double value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
            Write(bytes);
        }
    }

    /// <summary>Reads exact byte counts, keeps a running CRC-32, and reports a short file by what was being read.</summary>
    private sealed class ChecksummedReader(Stream stream, string path)
    {
        private readonly Crc32 _crc = new();

        public uint Checksum => _crc.Value;

        /// <summary>Fills <paramref name="destination"/> and returns it.</summary>
        public Span<byte> Read(Span<byte> destination, string what)
        {
            long position = stream.Position;
            if (stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) != destination.Length)
            {
                throw Invalid(path, $"file ends early while reading {what} at byte {position}");
            }
            _crc.Append(destination);
            return destination;
        }

        public byte ReadByte(string what) => Read(stackalloc byte[sizeof(byte)], what)[0];

        public int ReadInt32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Read(stackalloc byte[sizeof(int)], what));

        public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Read(stackalloc byte[sizeof(uint)], what));

        public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Read(stackalloc byte[sizeof(long)], what));

        public double ReadDouble(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Read(stackalloc byte[sizeof(double)], what));
    }
}

using System.IO.Compression;
using System.Text;

namespace MiniBioBert.Engine.IO;

/// <summary>
/// The one reader of every text file the program is given (vocabularies, corpora, NER and classification data):
/// line by line, plain or gzip (recognized by its magic bytes 1F 8B, whatever its name), strictly: a UTF-8 byte
/// order mark is dropped, lines end with LF or CR LF, and invalid UTF-8, NUL bytes (a binary file), a UTF-16 byte
/// order mark and over-long lines stop the read with an <see cref="InvalidDataException"/> naming the file and the
/// line. An over-long line is detected while it is
/// read, so at most <c>maxLineBytes</c> of it is ever held in memory. .NET's <see cref="GZipStream"/> ends silently on
/// truncated data, so the gzip trailer's size field (the last 4 bytes: the last member's length mod 2³²) is checked
/// at the end: decompressing fewer bytes than it announces means the file was cut.
/// </summary>
public sealed class Utf8LineReader : IDisposable
{
    /// <summary>The default cap on one line: 1 MiB.</summary>
    public const int DefaultMaxLineBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly uint? _gzipAnnouncedSize;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _bufferStart;
    private int _bufferEnd;
    private long _bytesRead;
    private byte[] _line = new byte[1 << 12];
    private int _lineLength;

    private Utf8LineReader(string path, Stream stream, int maxLineBytes, uint? gzipAnnouncedSize)
    {
        FilePath = path;
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _gzipAnnouncedSize = gzipAnnouncedSize;
    }

    /// <summary>The file being read, as given.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based number of the line returned last (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Opens <paramref name="path"/>; throws <see cref="FileNotFoundException"/> naming it when missing
    /// ("<paramref name="kind"/> not found: path").
    /// </summary>
    public static Utf8LineReader Open(string path, int maxLineBytes = DefaultMaxLineBytes, string kind = "Text file")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{kind} not found: {path}", path);
        }
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var isGzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        uint? announcedSize = null;
        if (isGzip && file.Length >= 18)
        {
            Span<byte> trailer = stackalloc byte[4];
            file.Position = file.Length - 4;
            file.ReadExactly(trailer);
            announcedSize = BitConverter.ToUInt32(trailer);
        }
        file.Position = 0;
        Stream stream = isGzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false) : file;
        return new Utf8LineReader(path, stream, maxLineBytes, announcedSize);
    }

    /// <summary>All lines of <paramref name="path"/>, streamed (see <see cref="ReadLine"/>); line n is the n-th item.</summary>
    public static IEnumerable<string> ReadLines(string path, int maxLineBytes = DefaultMaxLineBytes, string kind = "Text file")
    {
        using var reader = Open(path, maxLineBytes, kind);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    /// <summary>The next line without its line break (CR LF or LF) and without a leading BOM, or null at the end.</summary>
    public string? ReadLine()
    {
        _lineLength = 0;
        var sawAnything = false;
        while (true)
        {
            if (_bufferStart == _bufferEnd && !FillBuffer())
            {
                if (!sawAnything)
                {
                    return null;
                }
                break;
            }
            sawAnything = true;
            var pending = _buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart);
            var newline = pending.IndexOf((byte)'\n');
            var piece = newline >= 0 ? pending[..newline] : pending;
            AppendToLine(piece);
            _bufferStart += piece.Length + (newline >= 0 ? 1 : 0);
            if (newline >= 0)
            {
                break;
            }
        }
        LineNumber++;
        return Decode(_line.AsSpan(0, _lineLength));
    }

    public void Dispose() => _stream.Dispose();

    private bool FillBuffer()
    {
        try
        {
            _bufferStart = 0;
            _bufferEnd = _stream.Read(_buffer, 0, _buffer.Length);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{FilePath}: cannot read the data after line {LineNumber} ({e.Message}).", e);
        }
        if (_bytesRead == 0 && _buffer.AsSpan(0, _bufferEnd) is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            throw new InvalidDataException($"{FilePath}: starts with a UTF-16 byte order mark; save it as UTF-8.");
        }
        if (_bytesRead == 0 && _buffer.AsSpan(0, _bufferEnd).IndexOf((byte)0) is var nul and >= 0)
        {
            var line = _buffer.AsSpan(0, nul).Count((byte)'\n') + 1;
            throw new InvalidDataException($"{FilePath}: NUL byte at offset {nul} (line {line}); this looks like a binary file, not UTF-8 text.");
        }
        _bytesRead += _bufferEnd;
        if (_bufferEnd == 0 && _gzipAnnouncedSize is { } announced && _bytesRead < announced)
        {
            throw new InvalidDataException(
                $"{FilePath}: the gzip data ends after {_bytesRead} bytes (line {LineNumber}) but its trailer announces {announced}; the file is truncated.");
        }
        return _bufferEnd > 0;
    }

    private void AppendToLine(ReadOnlySpan<byte> piece)
    {
        if (_lineLength + piece.Length > _maxLineBytes)
        {
            throw new InvalidDataException(
                $"{FilePath}: line {LineNumber + 1} is longer than {_maxLineBytes} bytes; " +
                "is this a binary file or a text without line breaks?");
        }
        if (_lineLength + piece.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Min(_maxLineBytes, Math.Max(2 * _line.Length, _lineLength + piece.Length)));
        }
        piece.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += piece.Length;
    }

    private string Decode(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (LineNumber == 1 && line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            line = line[3..];
        }
        if (line.Contains((byte)0))
        {
            throw new InvalidDataException($"{FilePath}: line {LineNumber} contains NUL bytes; this looks like a binary file, not UTF-8 text.");
        }
        try
        {
            return StrictUtf8.GetString(line);
        }
        catch (DecoderFallbackException e)
        {
            var bad = e.BytesUnknown is [var first, ..] ? first : line[Math.Clamp(e.Index, 0, line.Length - 1)];
            throw new InvalidDataException($"{FilePath}, line {LineNumber}: not valid UTF-8 (byte 0x{bad:X2} at column {e.Index + 1}).", e);
        }
    }
}

using MiniBioBert.Engine.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniBioBert.Training.Reporting;

/// <summary>
/// The run's metrics as JSON lines (<c>runs/&lt;name&gt;/metrics.jsonl</c>), one <see cref="MetricsRecord"/> per line,
/// each flushed as soon as it is written. A run killed mid-write leaves at most one incomplete last line, which
/// <see cref="Read"/> skips with a warning. Not thread-safe.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    /// <summary>The file name inside a run directory.</summary>
    public const string FileName = "metrics.jsonl";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a diverged loss is logged as "NaN"
    };

    private readonly FileStream _stream;

    private MetricsLog(string path, FileMode mode)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _stream = new FileStream(Path, mode, FileAccess.Write, FileShare.Read);
    }

    /// <summary>Full path of the file being appended to.</summary>
    public string Path { get; }

    /// <summary>The metrics file of a run directory.</summary>
    public static string PathFor(string runDirectory) => System.IO.Path.Combine(runDirectory, FileName);

    /// <summary>An empty log at <paramref name="path"/> (replacing any existing file); creates the directory.</summary>
    public static MetricsLog StartNew(string path) => new(path, FileMode.Create);

    /// <summary>
    /// Continues the log of a resumed run: keeps the records with step ≤ <paramref name="keepThroughStep"/> (the
    /// checkpoint's step; later ones belong to the lost continuation), rewrites the file atomically without the rest
    /// and without any truncated line, and appends from there. <paramref name="kept"/> has the kept records and the
    /// warnings. A missing file starts a new log.
    /// </summary>
    public static MetricsLog Resume(string path, long keepThroughStep, out MetricsReadResult kept)
    {
        if (!File.Exists(path))
        {
            kept = new MetricsReadResult([], []);
            return StartNew(path);
        }

        MetricsReadResult previous = Read(path);
        MetricsRecord[] records = [.. previous.Records.Where(r => r.Step <= keepThroughStep)];
        List<string> warnings = [.. previous.Warnings];
        int dropped = previous.Records.Count - records.Length;
        if (dropped > 0)
        {
            warnings.Add($"{path}: dropped {dropped} records after step {keepThroughStep}, the step the run resumes from.");
        }
        AtomicFile.Write(path, stream =>
        {
            foreach (MetricsRecord record in records)
            {
                stream.Write(Serialize(record));
            }
        });

        kept = new MetricsReadResult(records, warnings);
        return new MetricsLog(path, FileMode.Append);
    }

    /// <summary>Writes <paramref name="record"/> as one line and flushes it to the operating system.</summary>
    public void Append(MetricsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _stream.Write(Serialize(record));
        _stream.Flush();
    }

    /// <summary>
    /// All records of <paramref name="path"/>. An unparsable last line without its newline (a write cut short) is
    /// skipped with a warning; any other unparsable line throws <see cref="InvalidDataException"/> naming the line.
    /// </summary>
    public static MetricsReadResult Read(string path)
    {
        string text = File.ReadAllText(path, Encoding.UTF8);
        string[] lines = text.Split('\n');
        var records = new List<MetricsRecord>();
        var warnings = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            bool unterminatedLast = i == lines.Length - 1;
            try
            {
                records.Add(Parse(line));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException && unterminatedLast)
            {
                warnings.Add($"{path}: line {i + 1} is incomplete (the run was probably stopped while writing it) and is ignored.");
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                throw new InvalidDataException($"{path}: line {i + 1} is not a valid metrics record: {e.Message}", e);
            }
        }
        return new MetricsReadResult(records, warnings);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    private static byte[] Serialize(MetricsRecord record) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, JsonOptions) + "\n");

    private static MetricsRecord Parse(string line)
    {
        MetricsRecord record = JsonSerializer.Deserialize<MetricsRecord>(line, JsonOptions)
            ?? throw new InvalidDataException("the line is JSON null");
        if (string.IsNullOrEmpty(record.Split))
        {
            throw new InvalidDataException("the field \"split\" is empty");
        }
        return record;
    }
}

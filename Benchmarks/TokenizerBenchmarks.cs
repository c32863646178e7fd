using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using MiniBioBert.Model.Tokenization;

using MiniBioBert.Training.Data;

namespace MiniBioBert.Benchmarks;

/// <summary>
/// Tokenization throughput on the first 2 MB (UTF-8) of the biomedical pretraining corpus, one sentence per call,
/// with the bert-base-uncased vocabulary. The "MB/s" column is corpus megabytes (10^6 bytes) per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class TokenizerBenchmarks
{
    private const int SampleBytes = 2_000_000;

    /// <summary>The sample sentences, loaded once per process (the summary column also needs their size).</summary>
    private static readonly Lazy<(List<string> Sentences, long Bytes)> Sample = new(() => ReadSample(
        Path.Combine(DataPaths.DataRoot, "pretrain", "biomed_pretrain_corpus.txt.gz")));

    private List<string> _sentences = [];
    private Vocabulary _vocabulary = null!;
    private WordPieceTokenizer _warmTokenizer = null!;
    private readonly BasicTokenizer _basicTokenizer = new();
    private readonly List<int> _ids = [];

    [GlobalSetup]
    public void LoadData()
    {
        _sentences = Sample.Value.Sentences;
        _vocabulary = Vocabulary.Load(Path.Combine(DataPaths.DataRoot, "vocab", "bert-base-uncased-vocab.txt"));
        _warmTokenizer = new WordPieceTokenizer(_vocabulary);
        EncodeAll(_warmTokenizer);
    }

    /// <summary>Basic tokenization only (cleaning, lower-casing, accent stripping, punctuation split).</summary>
    [Benchmark]
    public int BasicTokenizerWords() => _sentences.Sum(s => _basicTokenizer.Tokenize(s).Count);

    /// <summary>Full tokenization with the word cache already filled (the steady state of a data loader).</summary>
    [Benchmark(Baseline = true)]
    public int EncodeWarmCache() => EncodeAll(_warmTokenizer);

    /// <summary>Full tokenization with a new tokenizer, so every distinct word runs WordPiece once.</summary>
    [Benchmark]
    public int EncodeColdCache() => EncodeAll(new WordPieceTokenizer(_vocabulary));

    private int EncodeAll(WordPieceTokenizer tokenizer)
    {
        int total = 0;
        foreach (string sentence in _sentences)
        {
            _ids.Clear();
            tokenizer.AppendIds(sentence, _ids);
            total += _ids.Count;
        }

        return total;
    }

    /// <summary>Whole lines from the start of the corpus until about <see cref="SampleBytes"/>, and their UTF-8 size (line ends included).</summary>
    private static (List<string>, long) ReadSample(string path)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), Encoding.UTF8);
        var sentences = new List<string>();
        long bytes = 0;
        while (bytes < SampleBytes && reader.ReadLine() is { } line)
        {
            sentences.Add(line);
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
        }

        return (sentences, bytes);
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    /// <summary>Sample megabytes divided by the mean time of one benchmark call.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);
        public string ColumnName => "MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Corpus megabytes (10^6 UTF-8 bytes) tokenized per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is null)
            {
                return "NA";
            }

            double seconds = statistics.Mean / 1e9;
            return (Sample.Value.Bytes / 1e6 / seconds).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}

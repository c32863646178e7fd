using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Commands;

/// <summary>The <c>--corpus</c>, <c>--vocab</c> and <c>--vocab-size</c> options, and how they resolve to files.</summary>
internal sealed class CorpusArguments
{
    /// <summary>The <c>--vocab</c> value that names the shared BERT-base-uncased vocabulary.</summary>
    public const string BertBaseUncased = "bert-base-uncased";

    public Option<string[]> Corpus { get; } = new("--corpus")
    {
        Description = "Corpus files or folders (sentence-per-line or PubTator, plain or gzip). Default: the shared pretraining corpora plus the files in corpus/.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> Vocab { get; } = new("--vocab")
    {
        Description = $"WordPiece vocab.txt path, or '{BertBaseUncased}'. Default: a vocabulary trained on the corpus (cached as corpus/cache/vocab-<size>.txt).",
    };

    public Option<int> VocabSize { get; } = new("--vocab-size")
    {
        Description = "Size of the vocabulary trained when --vocab is not given.",
        DefaultValueFactory = _ => 30522,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command, bool includeVocab = true)
    {
        command.Add(Corpus);
        if (includeVocab)
        {
            command.Add(Vocab);
            command.Add(VocabSize);
        }
    }

    /// <summary>The corpus files: those given (folders expand to their files, sorted), else the default corpora.</summary>
    public IReadOnlyList<string> CorpusFiles(ParseResult parseResult)
    {
        string[] given = parseResult.GetValue(Corpus) ?? [];
        if (given.Length == 0)
        {
            return [.. DataPaths.SharedPretrainingCorpora().Concat(DataPaths.UserCorpusFiles()).Select(Path.GetFullPath)];
        }
        var files = new List<string>();
        foreach (string path in given)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path)
                    .Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .Select(Path.GetFullPath));
            }
            else if (File.Exists(path))
            {
                files.Add(Path.GetFullPath(path));
            }
            else
            {
                throw new FileNotFoundException($"Corpus '{path}' is neither a file nor a folder.", path);
            }
        }
        return files.Count > 0 ? files : throw new FileNotFoundException($"The corpus folders {string.Join(", ", given)} hold no files.");
    }

    /// <summary>
    /// The vocabulary file: <c>--vocab</c> when given, else one trained on <paramref name="corpus"/> with
    /// <see cref="WordPieceTrainer"/> and cached in <see cref="DataPaths.CacheDirectory"/>.
    /// </summary>
    public string VocabularyFile(ParseResult parseResult, IReadOnlyList<string> corpus, HeldOutDocuments heldOut, Action<string> log)
    {
        string? vocab = parseResult.GetValue(Vocab);
        if (vocab == BertBaseUncased)
        {
            return DataPaths.Vocabulary;
        }
        if (vocab is not null)
        {
            return File.Exists(vocab) ? Path.GetFullPath(vocab) : throw new FileNotFoundException($"Vocabulary file '{vocab}' does not exist.", vocab);
        }
        int size = parseResult.GetValue(VocabSize);
        string cached = Path.Combine(DataPaths.CacheDirectory, CachedVocabularyName(size, corpus, heldOut));
        if (File.Exists(cached))
        {
            log($"Vocabulary: {cached} (cached)");
            return cached;
        }
        log($"Training a {size:N0}-token WordPiece vocabulary on the training documents of {corpus.Count} corpus file(s)...");
        var vocabulary = TrainVocabulary(corpus, size, heldOut);
        Directory.CreateDirectory(DataPaths.CacheDirectory);
        vocabulary.Save(cached);
        log($"Vocabulary: {cached} ({vocabulary.Count:N0} tokens)");
        return cached;
    }

    /// <summary>
    /// A WordPiece vocabulary of <paramref name="size"/> tokens learned from the sentences of <paramref name="corpus"/>;
    /// with <paramref name="heldOut"/>, from its training documents only, so that the held-out documents a pretraining
    /// run is measured on never shaped its vocabulary (the split is <see cref="CorpusSplit"/>'s, over the documents as read).
    /// </summary>
    public static Vocabulary TrainVocabulary(IReadOnlyList<string> corpus, int size, HeldOutDocuments? heldOut = null)
    {
        if (size < 10)
        {
            throw new ArgumentException($"--vocab-size must be at least 10, not {size}.");
        }
        // Streamed when every document counts; held in memory when the split must see all ids first.
        IEnumerable<CorpusDocument> documents = CorpusReader.ReadDocuments(corpus.Select(path => new CorpusSource(path)));
        if (heldOut is { } h)
        {
            var all = documents.ToList();
            var split = CorpusSplit.Create(CorpusSplit.Segments(all.Select(d => d.Id)), h.Fraction, h.Seed);
            documents = split.TrainingDocuments.Select(i => all[i]);
        }
        return new WordPieceTrainer(new WordPieceTrainerOptions(VocabSize: size)).Train(documents.SelectMany(d => d.Sentences));
    }

    /// <summary>
    /// <c>vocab-&lt;size&gt;-&lt;hash&gt;.txt</c>, the hash taken over the corpus paths and the split: a vocabulary cached
    /// for one list of corpora (the default list among them, which grew from two files to three) or one split is never
    /// used for another.
    /// </summary>
    private static string CachedVocabularyName(int size, IReadOnlyList<string> corpus, HeldOutDocuments heldOut)
    {
        string key = string.Join("\n", corpus) + FormattableString.Invariant($"\nheld out {heldOut.Fraction:R} seed {heldOut.Seed}");
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return $"vocab-{size}-{Convert.ToHexString(hash)[..12].ToLowerInvariant()}.txt";
    }
}

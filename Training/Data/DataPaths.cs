namespace MiniBioBert.Training.Data;

/// <summary>
/// Where the data lives. The shared (read-only) data folder is <c>$MINIBIOBERT_DATA</c> when set, else
/// <c>../shared/data</c> next to the repository root (the folder holding <c>MiniBioBert.sln</c>).
/// Your own corpora and the tokenized-corpus cache live in the repository's <c>corpus/</c> folder.
/// </summary>
internal static class DataPaths
{
    /// <summary>The environment variable that overrides the shared data folder.</summary>
    public const string EnvironmentVariable = "MINIBIOBERT_DATA";

    /// <summary>The file that marks the repository root.</summary>
    public const string SolutionFileName = "MiniBioBert.sln";

    /// <summary>The main pretraining corpus, relative to the data root.</summary>
    public const string PretrainCorpusRelative = "pretrain/biomed_pretrain_corpus.txt.gz";

    /// <summary>The optional extra PubMed corpus, relative to the data root.</summary>
    public const string PubMedExtraCorpusRelative = "pretrain/pubmed_extra_corpus.txt.gz";

    /// <summary>The optional third PubMed corpus (38,901 abstracts, none repeated from the other two), relative to the data root.</summary>
    public const string PubMedMoreCorpusRelative = "pretrain/pubmed_more_corpus.txt.gz";

    /// <summary>The BERT-base-uncased WordPiece vocabulary, relative to the data root.</summary>
    public const string VocabularyRelative = "vocab/bert-base-uncased-vocab.txt";

    /// <summary>The BC5CDR NER folder (IOB and PubTator files), relative to the data root.</summary>
    public const string Bc5cdrRelative = "ner/bc5cdr";

    /// <summary>The repository root: the nearest folder holding <c>MiniBioBert.sln</c> above the current directory,
    /// else above the program's folder, else the current directory.</summary>
    public static string RepositoryRoot =>
        FindRepositoryRoot(Environment.CurrentDirectory)
        ?? FindRepositoryRoot(AppContext.BaseDirectory)
        ?? Environment.CurrentDirectory;

    /// <summary>The shared data folder (it need not exist; the file properties check).</summary>
    public static string DataRoot => ResolveDataRoot(Environment.GetEnvironmentVariable(EnvironmentVariable), RepositoryRoot);

    /// <summary>The repository's own corpus folder, where users drop extra corpora (see corpus/README.md).</summary>
    public static string UserCorpusDirectory => Path.Combine(RepositoryRoot, "corpus");

    /// <summary>The default folder for tokenized-corpus caches (the shared data folder is read-only).</summary>
    public static string CacheDirectory => Path.Combine(UserCorpusDirectory, "cache");

    /// <summary>The main pretraining corpus; throws <see cref="FileNotFoundException"/> when missing.</summary>
    public static string PretrainCorpus => RequireFile(PretrainCorpusRelative);

    /// <summary>The optional extra PubMed corpus, or null when it is not there.</summary>
    public static string? PubMedExtraCorpus => OptionalFile(PubMedExtraCorpusRelative);

    /// <summary>The optional third PubMed corpus, or null when it is not there.</summary>
    public static string? PubMedMoreCorpus => OptionalFile(PubMedMoreCorpusRelative);

    /// <summary>The WordPiece vocabulary; throws <see cref="FileNotFoundException"/> when missing.</summary>
    public static string Vocabulary => RequireFile(VocabularyRelative);

    /// <summary>The BC5CDR folder; throws <see cref="DirectoryNotFoundException"/> when missing.</summary>
    public static string Bc5cdrDirectory
    {
        get
        {
            var path = Path.Combine(DataRoot, Bc5cdrRelative);
            return Directory.Exists(path) ? path : throw new DirectoryNotFoundException(MissingMessage(path));
        }
    }

    /// <summary>The shared pretraining corpora: the main one, then the extra and the third PubMed corpora when present
    /// (63,111 documents and 14.6M words with all three).</summary>
    public static IReadOnlyList<string> SharedPretrainingCorpora()
    {
        var files = new List<string> { PretrainCorpus };
        files.AddRange(new[] { PubMedExtraCorpus, PubMedMoreCorpus }.OfType<string>());
        return files;
    }

    /// <summary>Corpus files dropped into <see cref="UserCorpusDirectory"/> (top level only, sorted by name;
    /// README.md and hidden files are skipped). Empty when the folder does not exist.</summary>
    public static IReadOnlyList<string> UserCorpusFiles()
    {
        var folder = UserCorpusDirectory;
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.EnumerateFiles(folder)
            .Where(path => !Path.GetFileName(path).StartsWith('.')
                && !Path.GetFileName(path).Equals("README.md", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A file under the data root; throws <see cref="FileNotFoundException"/> naming the path and the variable.</summary>
    public static string RequireFile(string relativePath)
    {
        var path = Path.Combine(DataRoot, relativePath);
        return File.Exists(path) ? path : throw new FileNotFoundException(MissingMessage(path), path);
    }

    internal static string? OptionalFile(string relativePath)
    {
        var path = Path.Combine(DataRoot, relativePath);
        return File.Exists(path) ? path : null;
    }

    internal static string? FindRepositoryRoot(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    internal static string ResolveDataRoot(string? environmentValue, string repositoryRoot) =>
        string.IsNullOrWhiteSpace(environmentValue)
            ? Path.GetFullPath(Path.Combine(repositoryRoot, "..", "shared", "data"))
            : Path.GetFullPath(environmentValue);

    private static string MissingMessage(string path)
    {
        var variable = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var origin = string.IsNullOrWhiteSpace(variable)
            ? $"{EnvironmentVariable} is not set, so the data root defaults to ../shared/data next to the repository root {RepositoryRoot}"
            : $"the data root comes from {EnvironmentVariable}={variable}";
        return $"Data file not found: {path} ({origin}). Set {EnvironmentVariable} to the shared data folder.";
    }
}

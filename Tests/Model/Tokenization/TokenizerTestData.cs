using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

/// <summary>Small vocabularies written by the tests, and the location of the shared data.</summary>
internal static class TokenizerTestData
{
    public static readonly string[] Specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>Specials (ids 0–4) followed by <paramref name="tokens"/> (ids 5, 6, …).</summary>
    public static Vocabulary SmallVocabulary(params string[] tokens) => Vocabulary.FromTokens([.. Specials, .. tokens]);

    /// <summary>A file under the shared data folder ($MINIBIOBERT_DATA, default ../shared/data beside the repository root); the test is ignored when it is missing.</summary>
    public static string SharedFile(string relativePath)
    {
        string dataRoot = Environment.GetEnvironmentVariable("MINIBIOBERT_DATA") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(FindRepositoryRoot(), "..", "shared", "data");
        string path = Path.GetFullPath(Path.Combine(dataRoot, relativePath));
        if (!File.Exists(path))
        {
            Assert.Ignore($"Shared data file '{path}' is missing (set MINIBIOBERT_DATA to the shared/data folder).");
        }

        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MiniBioBert.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

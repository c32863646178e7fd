using MiniBioBert.Model.Tokenization;

using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Model.Tokenization;

/// <summary>Small vocabularies written by the tests, and the location of the shared data.</summary>
internal static class TokenizerTestData
{
    public static readonly string[] Specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>Specials (ids 0–4) followed by <paramref name="tokens"/> (ids 5, 6, …).</summary>
    public static Vocabulary SmallVocabulary(params string[] tokens) => Vocabulary.FromTokens([.. Specials, .. tokens]);

    /// <summary>A file under the shared data folder (see <see cref="DataPaths"/>); the test is ignored when it is missing.</summary>
    public static string SharedFile(string relativePath)
    {
        string path = Path.GetFullPath(Path.Combine(DataPaths.DataRoot, relativePath));
        if (!File.Exists(path))
        {
            Assert.Ignore($"Shared data file '{path}' is missing (set {DataPaths.EnvironmentVariable} to the shared/data folder).");
        }

        return path;
    }
}

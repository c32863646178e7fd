using MiniBioBert.Training.Inspection;

namespace MiniBioBert.Tests.Learners;

/// <summary>
/// The tiny checkpoint of Tests/Fixtures/tiny_bert (2 layers, 2 heads, hidden 16, max 20 positions) and texts
/// made of words from its 40-token vocabulary.
/// </summary>
internal static class TinyCheckpoint
{
    public const string SentenceA = "the patient binds the receptor.";

    public const string SentenceB = "tumor cells express the gene.";

    public static string Directory => TestData.FixturePath("tiny_bert");

    public static InspectedCheckpoint Load() => InspectedCheckpoint.Load(Directory);
}

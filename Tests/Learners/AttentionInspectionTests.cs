using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training.Inspection;

namespace MiniBioBert.Tests.Learners;

public class AttentionInspectionTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Test]
    public void TokensAreThePairWithSpecialTokens()
    {
        var maps = AttentionMaps.Compute(TinyCheckpoint.Load(), "the patient binds", "tumor cells");

        Assert.That(maps.Tokens, Is.EqualTo(new[] { "[CLS]", "the", "patient", "bind", "##s", "[SEP]", "tumor", "cells", "[SEP]" }));
        Assert.That(maps.LayerCount, Is.EqualTo(2));
        Assert.That(maps.HeadCount, Is.EqualTo(2));
    }

    [Test]
    public void EveryRowOfEveryHeadIsAProbabilityDistribution()
    {
        var maps = AttentionMaps.Compute(TinyCheckpoint.Load(), TinyCheckpoint.SentenceA, TinyCheckpoint.SentenceB);
        int length = maps.Tokens.Count;

        for (int layer = 0; layer < maps.LayerCount; layer++)
        {
            for (int head = 0; head < maps.HeadCount; head++)
            {
                var matrix = maps.Head(layer, head);
                Assert.That(matrix.GetLength(0), Is.EqualTo(length));
                for (int query = 0; query < length; query++)
                {
                    double sum = 0;
                    for (int key = 0; key < length; key++)
                    {
                        Assert.That(matrix[query, key], Is.InRange(0.0, 1.0));
                        sum += matrix[query, key];
                    }
                    // A float32 softmax row of ≤ 20 entries sums to 1 within a few ulps (1e-6 leaves ample room).
                    Assert.That(sum, Is.EqualTo(1.0).Within(1e-6), $"layer {layer} head {head} query {query}");
                }
            }
        }
    }

    [Test]
    public void WritesOnePngPerHeadAndTheOverview()
    {
        using var directory = new TemporaryDirectory();
        var maps = AttentionMaps.Compute(TinyCheckpoint.Load(), TinyCheckpoint.SentenceA);

        var paths = AttentionHeatmaps.WriteAll(maps, directory.Path);

        string[] expected = ["layer0-head0.png", "layer0-head1.png", "layer1-head0.png", "layer1-head1.png", AttentionHeatmaps.OverviewFileName];
        Assert.That(paths.Select(Path.GetFileName), Is.EqualTo(expected));
        Assert.That(Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order(), Is.EqualTo(expected.Order()), "no temporary files left");
        foreach (string path in paths)
        {
            Assert.That(File.ReadAllBytes(path).Take(PngSignature.Length), Is.EqualTo(PngSignature), path);
        }
    }
}

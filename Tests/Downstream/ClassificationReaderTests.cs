using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

public class ClassificationReaderTests
{
    [Test]
    public void HallmarksAreTheTopLevelOfEachLabel()
    {
        Assert.That(HocReader.Hallmarks("Sustaining proliferative signaling--Receptors ANDSustaining proliferative signaling--Growth factors ANDResisting cell death"),
            Is.EqualTo(new[] { "Sustaining proliferative signaling", "Resisting cell death" }));
        Assert.That(HocReader.Hallmarks(""), Is.Empty);
        Assert.That(HocReader.Hallmarks("NULL"), Is.Empty);
        Assert.That(HocReader.Hallmarks("Activating invasion and metastasis"), Is.EqualTo(new[] { "Activating invasion and metastasis" }));
    }

    [Test]
    public void HocSplitIsByAbstractAndRoughly80_10_10()
    {
        var pmids = Enumerable.Range(10_000_000, 2000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var buckets = pmids.Select(HocReader.SplitBucket).ToArray();
        Assert.That(buckets, Is.All.InRange(0, 9));
        Assert.That(pmids.Select(HocReader.SplitBucket), Is.EqualTo(buckets), "deterministic");
        // 2000 abstracts, p = 0.1: the count of bucket 0 has standard deviation ≈ 13; allow ±60.
        Assert.That(buckets.Count(b => b == 0), Is.InRange(140, 260));
        Assert.That(buckets.Count(b => b == 1), Is.InRange(140, 260));
    }

    [Test]
    public void PibosoReadsAbstractsAndRejectsUnlabeledLines()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("train_clean.txt");
        File.WriteAllText(path, "###123\nbackground\tSome text .\noutcome\tMore text .\n\n###456\nother\tX .\n\n");
        var sentences = PibosoReader.Read(path);
        Assert.That(sentences.Select(s => (s.Document, s.Labels[0])), Is.EqualTo(new[] { ("123", "background"), ("123", "outcome"), ("456", "other") }));

        File.WriteAllText(path, "###123\nno label here\n");
        var error = Assert.Throws<InvalidDataException>(() => PibosoReader.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path + ", line 2:"));
    }

    [Test]
    public void ClassificationScoresFollowTheDefinitions()
    {
        string[] labels = ["a", "b"];
        bool[][] gold = [[true, false], [true, true], [false, true]];
        bool[][] predicted = [[true, false], [true, false], [true, true]];
        var scores = ClassificationScores.Evaluate(labels, gold, predicted);
        Assert.That(scores.PerLabel[0], Is.EqualTo(new F1Score("a", 2, 3, 2)));
        Assert.That(scores.PerLabel[1], Is.EqualTo(new F1Score("b", 2, 1, 1)));
        Assert.That(scores.Accuracy, Is.EqualTo(1 / 3.0).Within(1e-12));
        // F1(a) = 2·(2/3·1)/(2/3 + 1) = 0.8, F1(b) = 2·(1·1/2)/(3/2) = 2/3; micro: 3 correct, 4 predicted, 4 gold → 0.75.
        Assert.That(scores.MacroF1, Is.EqualTo((0.8 + 2 / 3.0) / 2).Within(1e-12));
        Assert.That(scores.Micro.F1, Is.EqualTo(0.75).Within(1e-12));
    }
}

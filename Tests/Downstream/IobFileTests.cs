using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

public class IobFileTests
{
    [Test]
    public void ReadsSentencesAndLabels()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("train.tsv");
        File.WriteAllText(path, "Aspirin\tB-Chemical\ncauses\tO\n\nfever\tB-Disease\nspikes\tI-Disease\n\n");
        var sentences = IobFile.Read(path);
        Assert.That(sentences, Has.Count.EqualTo(2));
        Assert.That(sentences[1].Words, Is.EqualTo(new[] { "fever", "spikes" }));
        Assert.That(sentences[1].FirstLine, Is.EqualTo(4));
        Assert.That(IobFile.Labels(sentences), Is.EqualTo(new[] { "O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease" }));
    }

    [TestCase("word\tO\tO\n", "found 3 column")]
    [TestCase("word\n", "found 1 column")]
    [TestCase("word\tB-\n", "unknown tag 'B-'")]
    [TestCase("word\tE-Chemical\n", "unknown tag 'E-Chemical'")]
    [TestCase("word\to\n", "unknown tag 'o'")]
    public void BadLinesNameFileAndLine(string badLine, string problem)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("devel.tsv");
        File.WriteAllText(path, "good\tO\n\n" + badLine);
        var error = Assert.Throws<InvalidDataException>(() => IobFile.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path + ", line 3:"));
        Assert.That(error.Message, Does.Contain(problem));
    }

    [Test]
    public void PredictionsAddAColumn()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("out.tsv");
        IobFile.WritePredictions(path, [new TaggedSentence(["a", "b"], ["B-X", "O"])], [["B-X", "B-X"]]);
        Assert.That(File.ReadAllText(path), Is.EqualTo("a\tB-X\tB-X\nb\tO\tB-X\n\n"));
    }
}

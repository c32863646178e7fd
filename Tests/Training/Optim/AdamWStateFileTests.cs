using MiniBioBert.Training.Optim;

namespace MiniBioBert.Tests.Training.Optim;

public class AdamWStateFileTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("adamw-state-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private static (AdamW Optimizer, float[] Parameters, float[] Gradients) TrainedOptimizer()
    {
        var random = new Random(42);
        var optimizer = new AdamW([new(0, 50, true), new(50, 13, false)], new AdamWOptions { Epsilon = 1e-8, WeightDecay = 0.1 });
        float[] parameters = [.. Enumerable.Range(0, 63).Select(_ => (float)random.NextDouble())];
        float[] gradients = [.. Enumerable.Range(0, 63).Select(_ => (float)(random.NextDouble() - 0.5))];
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step(parameters, gradients, 1e-2);
        }
        return (optimizer, parameters, gradients);
    }

    [Test]
    public void RoundTripIsBitExactAndContinuesIdentically()
    {
        var (original, parameters, gradients) = TrainedOptimizer();
        string path = Path.Combine(_directory, "optimizer.bin");
        AdamWStateFile.Save(original, path);
        AdamW restored = AdamWStateFile.Load(path);

        Assert.That(File.Exists(path + ".tmp"), Is.False);
        Assert.That(restored.Options, Is.EqualTo(original.Options));
        Assert.That(restored.Segments, Is.EqualTo(original.Segments));
        Assert.That(restored.StepCount, Is.EqualTo(3));
        Assert.That(restored.FirstMoment.ToArray(), Is.EqualTo(original.FirstMoment.ToArray()));
        Assert.That(restored.SecondMoment.ToArray(), Is.EqualTo(original.SecondMoment.ToArray()));

        float[] copy = [.. parameters];
        original.Step(parameters, gradients, 1e-2);
        restored.Step(copy, gradients, 1e-2);
        Assert.That(copy, Is.EqualTo(parameters));
    }

    [Test]
    public void CorruptedFilesAreRejectedWithTheFileNameAndProblem()
    {
        string path = Path.Combine(_directory, "optimizer.bin");
        AdamWStateFile.Save(TrainedOptimizer().Optimizer, path);
        byte[] good = File.ReadAllBytes(path);

        AssertRejected(path, Modified(good, bytes => bytes[^20] ^= 0x40), "checksum mismatch");
        AssertRejected(path, good[..^9], "bytes");
        AssertRejected(path, good[..30], "file ends early while reading epsilon at byte 28");
        AssertRejected(path, Modified(good, bytes => bytes[0] = (byte)'X'), "not an AdamW state file");
        AssertRejected(path, Modified(good, bytes => bytes[8] = 9), "unsupported version 9");
        AssertRejected(path, [], "file ends early while reading the magic bytes");
    }

    private static byte[] Modified(byte[] bytes, Action<byte[]> change)
    {
        byte[] copy = [.. bytes];
        change(copy);
        return copy;
    }

    private static void AssertRejected(string path, byte[] content, string problem)
    {
        File.WriteAllBytes(path, content);
        Assert.That(() => AdamWStateFile.Load(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains(path).And.Message.Contains(problem));
    }
}

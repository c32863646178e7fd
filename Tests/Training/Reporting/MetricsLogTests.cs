using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Tests.Training.Reporting;

public class MetricsLogTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("metrics-log-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private static MetricsRecord Train(long step, double loss) =>
        new() { Step = step, Split = MetricsSplit.Train, Loss = loss, LearningRate = 1e-4 * step, Epoch = step / 100.0 };

    [Test]
    public void WrittenRecordsReadBackEqualWithSnakeCaseFields()
    {
        string path = MetricsLog.PathFor(Path.Combine(_directory, "run1"));
        MetricsRecord[] written =
        [
            Train(1, 10.5),
            new() { Step = 1, Split = MetricsSplit.Eval, Loss = 9.25, MlmAccuracy = 0.125, NspAccuracy = 0.5, MlmPerplexity = 10342.0 },
            Train(2, double.NaN),
        ];
        using (var log = MetricsLog.StartNew(path))
        {
            foreach (MetricsRecord record in written)
            {
                log.Append(record);
            }
        }

        string firstLine = File.ReadLines(path).First();
        Assert.That(firstLine, Is.EqualTo("""{"step":1,"split":"train","epoch":0.01,"loss":10.5,"lr":0.0001}"""));
        MetricsReadResult read = MetricsLog.Read(path);
        Assert.That(read.Records, Is.EqualTo(written));
        Assert.That(read.Warnings, Is.Empty);
    }

    [Test]
    public void TruncatedLastLineIsIgnoredWithAWarning()
    {
        string path = Path.Combine(_directory, MetricsLog.FileName);
        File.WriteAllText(path, "{\"step\":1,\"split\":\"train\",\"loss\":2.5}\n{\"step\":2,\"split\":\"tr");
        MetricsReadResult read = MetricsLog.Read(path);
        Assert.That(read.Records, Has.Count.EqualTo(1));
        Assert.That(read.Warnings, Has.Count.EqualTo(1));
        Assert.That(read.Warnings[0], Does.Contain("line 2 is incomplete"));
    }

    [Test]
    public void BadLineInTheMiddleThrowsWithItsLineNumber()
    {
        string path = Path.Combine(_directory, MetricsLog.FileName);
        File.WriteAllText(path, "{\"step\":1,\"split\":\"train\"}\n{\"split\":\"train\"}\n{\"step\":3,\"split\":\"train\"}\n");
        Assert.That(() => MetricsLog.Read(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains(path).And.Message.Contains("line 2"));
    }

    [Test]
    public void ResumeKeepsRecordsThroughTheCheckpointStepAndAppends()
    {
        string path = Path.Combine(_directory, MetricsLog.FileName);
        using (var log = MetricsLog.StartNew(path))
        {
            for (int step = 1; step <= 5; step++)
            {
                log.Append(Train(step, 10 - step));
            }
        }
        File.AppendAllText(path, "{\"step\":6,");

        using (var resumed = MetricsLog.Resume(path, keepThroughStep: 3, out MetricsReadResult kept))
        {
            Assert.That(kept.Records.Select(r => r.Step), Is.EqualTo(new long[] { 1, 2, 3 }));
            Assert.That(kept.Warnings, Has.Count.EqualTo(2)); // the truncated line, and the 2 dropped records
            resumed.Append(Train(4, 0.5));
        }

        Assert.That(MetricsLog.Read(path).Records.Select(r => (r.Step, r.Loss)),
            Is.EqualTo(new (long, double?)[] { (1, 9), (2, 8), (3, 7), (4, 0.5) }));
    }
}

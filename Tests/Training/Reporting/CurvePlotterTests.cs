using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Tests.Training.Reporting;

public class CurvePlotterTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Test]
    public void WritesThreeValidPngFiles()
    {
        string directory = Directory.CreateTempSubdirectory("curve-plotter-").FullName;
        try
        {
            var records = new List<MetricsRecord>();
            for (int step = 1; step <= 60; step++)
            {
                records.Add(new() { Step = step, Split = MetricsSplit.Train, Loss = 10.0 / step, MlmAccuracy = step / 100.0, NspAccuracy = 0.5, LearningRate = 1e-4 });
                if (step % 20 == 0)
                {
                    records.Add(new() { Step = step, Split = MetricsSplit.Eval, Loss = 12.0 / step, MlmAccuracy = step / 120.0, NspAccuracy = 0.55 });
                }
            }

            IReadOnlyList<string> paths = CurvePlotter.WriteAll(records, directory, smoothingWindow: 5);

            Assert.That(paths.Select(Path.GetFileName), Is.EqualTo(new[] { "loss.png", "accuracy.png", "lr.png" }));
            foreach (string path in paths)
            {
                byte[] bytes = File.ReadAllBytes(path);
                Assert.That(bytes.Length, Is.GreaterThan(1000), path);
                Assert.That(bytes[..8], Is.EqualTo(PngSignature), path);
            }
            Assert.That(Directory.GetFiles(directory, "*.tmp"), Is.Empty);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void EmptyMetricsStillGiveImages()
    {
        string directory = Directory.CreateTempSubdirectory("curve-plotter-").FullName;
        try
        {
            Assert.That(CurvePlotter.WriteAll([], directory).All(File.Exists), Is.True);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

using MiniBioBert.Engine;
using MiniBioBert.Engine.Cpu;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests;

/// <summary>Paths of the committed PyTorch fixtures and small helpers to read and compare them.</summary>
internal static class TestData
{
    public static string FixturePath(params string[] parts) =>
        Path.Combine([TestContext.CurrentContext.TestDirectory, "Fixtures", .. parts]);

    public static SafeTensorsFile OpenFixture(string fileName) => SafeTensorsFile.Open(FixturePath(fileName));

    public static int[] ReadInt32s(this SafeTensorsFile file, string name) =>
        file.ReadInt64s(name).Select(value => checked((int)value)).ToArray();

    /// <summary>Normwise relative error max|actual − expected| / max|expected|, the measure every parity test states.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), "element count");
        double maxDifference = 0, maxExpected = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            maxDifference = Math.Max(maxDifference, Math.Abs((double)actual[i] - expected[i]));
            maxExpected = Math.Max(maxExpected, Math.Abs((double)expected[i]));
        }
        return maxExpected == 0 ? maxDifference : maxDifference / maxExpected;
    }

    public static void AssertClose(Tensor actual, float[] expected, double tolerance, string what) =>
        AssertClose(actual.Span, expected, tolerance, what);

    public static void AssertClose(ReadOnlySpan<float> actual, float[] expected, double tolerance, string what)
    {
        double error = RelativeError(actual, expected);
        Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{what}: normwise relative error {error:E2} exceeds {tolerance:E0}");
    }

    /// <summary>A tensor of N(0, scale²) values from a seeded generator.</summary>
    public static Tensor Random(Random random, float scale, params int[] shape)
    {
        var values = new float[Tensor.ShapeSize(shape)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(scale * random.NextGaussian());
        }
        return Tensor.FromArray(values, shape);
    }

    public static double NextGaussian(this Random random) => NormalSample.Next(random);
}

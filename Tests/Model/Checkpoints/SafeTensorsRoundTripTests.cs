using System.Buffers.Binary;
using System.Diagnostics;
using MiniBioBert.Engine;
using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Model.Checkpoints;

public class SafeTensorsRoundTripTests
{
    [Test]
    public void WrittenTensorsReadBackBitExact()
    {
        using var temp = new TemporaryDirectory();
        var random = new Random(7);
        float[] weight = [.. Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] special = [float.NaN, float.PositiveInfinity, -0f, float.Epsilon, float.MaxValue];
        long[] steps = [long.MinValue, -1, 0, 42, long.MaxValue];
        int[] ids = [int.MinValue, 0, int.MaxValue];
        var view = Tensor.ViewOf([9, 9, 1, 2, 3, 4, 9], 2, 2, 2);

        var writer = new SafeTensorsWriter();
        writer.AddFloat32("layer.weight", weight, 3, 4);
        writer.AddFloat32("special", special, 5);
        writer.AddFloat32("scalar", new float[] { 3.25f });
        writer.AddFloat32("empty", Array.Empty<float>(), 0, 4);
        writer.AddInt64("steps", steps, 5);
        writer.AddInt32("ids", ids, 3);
        writer.Add("view", view);
        writer.AddMetadata("format", "pt");
        writer.AddMetadata("note", "ünïcode \"quoted\"");
        string path = temp.File("round.safetensors");
        writer.Write(path);

        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Names, Is.EqualTo(new[] { "layer.weight", "special", "scalar", "empty", "steps", "ids", "view" }));
        Assert.That(file.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" }));
        Assert.That(file.Entry("layer.weight").ShapeArray(), Is.EqualTo(new[] { 3, 4 }));
        Assert.That(file.Entry("scalar").ShapeArray(), Is.Empty);
        Assert.That(file.Entry("ids").DType, Is.EqualTo(SafeTensorsDType.I32));
        AssertBitsEqual(file.ReadFloats("layer.weight"), weight);
        AssertBitsEqual(file.ReadFloats("special"), special);
        Assert.That(file.ReadFloats("scalar"), Is.EqualTo(new[] { 3.25f }));
        Assert.That(file.ReadFloats("empty"), Is.Empty);
        Assert.That(file.ReadInt64s("steps"), Is.EqualTo(steps));
        Assert.That(file.ReadInt64s("ids"), Is.EqualTo(ids.Select(i => (long)i)));
        var tensor = file.ReadTensor("view");
        Assert.That(tensor.ShapeArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(tensor.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void HeaderIsPaddedToEightBytesAndOffsetsAreContiguous()
    {
        using var temp = new TemporaryDirectory();
        var writer = new SafeTensorsWriter();
        writer.AddFloat32("a", new float[] { 1, 2, 3 }, 3);
        writer.AddInt64("b", new long[] { 4 }, 1);
        string path = temp.File("layout.safetensors");
        writer.Write(path);

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(headerLength % 8, Is.Zero);
        Assert.That((ulong)bytes.Length, Is.EqualTo(8 + headerLength + 12 + 8));
        using var file = SafeTensorsFile.Open(path);
        Assert.That((file.Entry("a").Begin, file.Entry("a").End, file.Entry("b").Begin, file.Entry("b").End), Is.EqualTo((0L, 12L, 12L, 20L)));
        Assert.That(Directory.GetFiles(temp.Path), Has.Length.EqualTo(1), "the temporary file is renamed away");
    }

    [Test]
    public void WriterRejectsBadInput()
    {
        var writer = new SafeTensorsWriter();
        writer.AddFloat32("a", new float[] { 1 }, 1);
        Assert.Throws<ArgumentException>(() => writer.AddFloat32("a", new float[] { 1 }, 1));
        Assert.Throws<ArgumentException>(() => writer.AddFloat32("__metadata__", new float[] { 1 }, 1));
        Assert.Throws<ArgumentException>(() => writer.AddFloat32("b", new float[] { 1, 2 }, 3));
        writer.AddMetadata("k", "v");
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("k", "w"));
    }

    [Test]
    public void ConvertsOtherFloatTypesAndNarrowIntegers()
    {
        using var temp = new TemporaryDirectory();
        // F16 1.5 = 0x3E00; BF16 −2 = 0xC000 (upper half of float −2 = 0xC0000000); F64 0.1 rounds to float 0.1f.
        byte[] data = [0x00, 0x3E, 0x00, 0xC0, .. BitConverter.GetBytes(0.1), 0xFF, 0x07, 0x00, 0x80];
        string header = "{" + string.Join(",",
            SafeTensorsBytes.Entry("half", "F16", "[1]", 0, 2),
            SafeTensorsBytes.Entry("brain", "BF16", "[1]", 2, 4),
            SafeTensorsBytes.Entry("double", "F64", "[1]", 4, 12),
            SafeTensorsBytes.Entry("small", "I16", "[2]", 12, 16)) + "}";
        string path = temp.File("types.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(header, data));

        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.ReadFloats("half"), Is.EqualTo(new[] { 1.5f }));
        Assert.That(file.ReadFloats("brain"), Is.EqualTo(new[] { -2f }));
        Assert.That(file.ReadFloats("double"), Is.EqualTo(new[] { 0.1f }));
        Assert.That(file.ReadInt64s("small"), Is.EqualTo(new long[] { 0x07FF, short.MinValue }));
        Assert.That(() => file.ReadInt64s("half"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("'half'").And.Message.Contains("not an integer type"));
        Assert.That(() => file.ReadFloats("small"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("'small'").And.Message.Contains("not a floating-point type"));
        Assert.That(() => file.ReadFloats("absent"), Throws.ArgumentException.With.Message.Contains("'absent'"));
    }

    [Test]
    public void FiftyMegabytesRoundTrip()
    {
        using var temp = new TemporaryDirectory();
        var values = new float[50_000_000 / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i * 0.25f;
        }
        var writer = new SafeTensorsWriter();
        writer.AddFloat32("big", values, 2500, 5000);
        string path = temp.File("big.safetensors");
        var clock = Stopwatch.StartNew();
        writer.Write(path);
        var writeTime = clock.Elapsed;

        clock.Restart();
        using var file = SafeTensorsFile.Open(path);
        float[] read = file.ReadFloats("big");
        var readTime = clock.Elapsed;

        TestContext.Out.WriteLine($"50 MB: write {writeTime.TotalMilliseconds:F0} ms, read {readTime.TotalMilliseconds:F0} ms");
        // The times are printed, not asserted: a test never depends on the machine's speed or load
        // (docs/benchmarks.md has the measured figures).
        Assert.That(read.AsSpan().SequenceEqual(values), Is.True);
    }

    private static void AssertBitsEqual(float[] actual, float[] expected) =>
        Assert.That(actual.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToInt32Bits)));
}

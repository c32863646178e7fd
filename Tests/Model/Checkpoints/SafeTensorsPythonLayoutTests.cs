using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Model.Checkpoints;

/// <summary>
/// Reads a file laid out byte for byte like Python's <c>safetensors.torch.save_file</c> writes it:
/// compact JSON with <c>__metadata__</c> first, tensors of one dtype sorted by name with offsets in that order,
/// the header padded with spaces to a multiple of 8.
/// </summary>
public class SafeTensorsPythonLayoutTests
{
    // save_file({"weight": [[1, 2, 3], [4, 5, 6]], "bias": [0.5, -0.5], "scale": 2.0}, metadata={"format": "pt"})
    private const string PythonHeader =
        "{\"__metadata__\":{\"format\":\"pt\"}," +
        "\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
        "\"scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}," +
        "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[12,36]}}";

    private static byte[] PythonFile() =>
        SafeTensorsBytes.Build(PythonHeader, SafeTensorsBytes.Floats(0.5f, -0.5f, 2f, 1, 2, 3, 4, 5, 6));

    [Test]
    public void ReadsPythonLayout()
    {
        using var temp = new TemporaryDirectory();
        string path = temp.File("python.safetensors");
        byte[] bytes = PythonFile();
        Assert.That((bytes.Length - 8 - 36) % 8, Is.Zero, "the header is padded to a multiple of 8");
        File.WriteAllBytes(path, bytes);

        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Names, Is.EqualTo(new[] { "bias", "scale", "weight" }));
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
        Assert.That(file.ReadFloats("bias"), Is.EqualTo(new[] { 0.5f, -0.5f }));
        Assert.That(file.Entry("scale").ShapeArray(), Is.Empty);
        Assert.That(file.ReadFloats("scale"), Is.EqualTo(new[] { 2f }));
        var weight = file.ReadTensor("weight");
        Assert.That(weight.ShapeArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(weight[1, 0], Is.EqualTo(4f));
    }

    [Test]
    public void WriterProducesTheSameBytesForTheSameOrder()
    {
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        writer.AddFloat32("bias", new[] { 0.5f, -0.5f }, 2);
        writer.AddFloat32("scale", new[] { 2f });
        writer.AddFloat32("weight", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        Assert.That(stream.ToArray(), Is.EqualTo(PythonFile()));
    }
}

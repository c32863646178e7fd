using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Model.Checkpoints;

/// <summary>Every malformed file is refused with an <see cref="InvalidDataException"/> that names the file, the tensor and the problem.</summary>
public class SafeTensorsValidationTests
{
    private static readonly string A8 = SafeTensorsBytes.Entry("a", "F32", "[2]", 0, 8);

    [TestCase("[1, 2]", 0, "must be a JSON object")]
    [TestCase("{\"a\": ", 0, "not valid JSON")]
    [TestCase("{\"a\": 3}", 0, "tensor 'a'", "must be an object")]
    [TestCase("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "no \"dtype\"")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "no \"shape\"")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a'", "no \"data_offsets\"")]
    [TestCase("{\"a\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, "tensor 'a'", "unknown dtype \"F8\"")]
    [TestCase("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "unknown dtype \"f32\"")]
    [TestCase("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "dtype must be a string")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "negative")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "not an integer")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "shape must be an array")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "span 8 bytes", "needs 12")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "more elements than an array can hold")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, "tensor 'a'", "data_offsets must be an array [begin, end]")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8, "tensor 'a'", "non-negative")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "tensor 'a'", "end before they begin")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551615]}}", 8, "tensor 'a'", "non-negative integers")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "tensor 'a'", "the first tensor must start at 0")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "tensor 'a'", "run past the end of the file")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "cover 8 bytes, but the data buffer holds 12")]
    [TestCase("{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value 'k' must be a string")]
    [TestCase("{\"__metadata__\":[\"k\"]}", 0, "__metadata__ must be an object")]
    public void MalformedHeaderIsRefused(string header, int dataBytes, params string[] fragments) =>
        AssertRefused(SafeTensorsBytes.Build(header, new byte[dataBytes]), fragments);

    [Test]
    public void OverlappingTensorsAreRefused() =>
        AssertRefused(SafeTensorsBytes.Build($"{{{A8},{SafeTensorsBytes.Entry("b", "F32", "[2]", 4, 12)}}}", new byte[12]),
            "tensor 'b'", "overlap the previous tensor, which ends at 8");

    [Test]
    public void GapBetweenTensorsIsRefused() =>
        AssertRefused(SafeTensorsBytes.Build($"{{{A8},{SafeTensorsBytes.Entry("b", "F32", "[2]", 12, 20)}}}", new byte[20]),
            "tensor 'b'", "leaving a gap after byte 8");

    [Test]
    public void DuplicateNamesAreRefused() =>
        AssertRefused(SafeTensorsBytes.Build($"{{{A8},{SafeTensorsBytes.Entry("a", "F32", "[2]", 8, 16)}}}", new byte[16]),
            "names 'a' twice");

    [Test]
    public void FileShorterThanEightBytesIsRefused() =>
        AssertRefused([1, 2, 3], "3 bytes, fewer than the 8-byte header length");

    [Test]
    public void HeaderLengthOverTheCapIsRefused() =>
        AssertRefused(SafeTensorsBytes.Build("{}", [], declaredLength: 200_000_000), "exceeds the 100000000-byte limit");

    [Test]
    public void HeaderLongerThanTheFileIsRefused() =>
        AssertRefused(SafeTensorsBytes.Build("{}", [], declaredLength: 1000), "header length 1000 is larger than the 8 bytes after it");

    [Test]
    public void InvalidUtf8IsRefused() =>
        AssertRefused(SafeTensorsBytes.Build("{\"a\u00e9\":{}}", []).Select(b => b == 0xC3 ? (byte)0xFF : b).ToArray(), "not valid UTF-8");

    [Test]
    public void EmptyHeaderObjectIsAValidEmptyFile()
    {
        using var temp = new TemporaryDirectory();
        string path = temp.File("empty.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build("{}", []));
        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Entries, Is.Empty);
        Assert.That(file.Metadata, Is.Empty);
    }

    private static void AssertRefused(byte[] bytes, params string[] fragments)
    {
        using var temp = new TemporaryDirectory();
        string path = temp.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path).Dispose())!;
        Assert.That(error.Message, Does.StartWith(path));
        foreach (string fragment in fragments)
        {
            Assert.That(error.Message, Does.Contain(fragment));
        }
    }
}

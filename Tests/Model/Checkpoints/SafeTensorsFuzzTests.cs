using MiniBioBert.Model.Checkpoints;

namespace MiniBioBert.Tests.Model.Checkpoints;

/// <summary>Corrupted files must fail with <see cref="InvalidDataException"/> and nothing else (no index, overflow or memory errors).</summary>
public class SafeTensorsFuzzTests
{
    private const int Cases = 400;

    [Test]
    public void MutatedFilesOnlyEverFailWithInvalidDataException()
    {
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        writer.AddFloat32("encoder.weight", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        writer.AddFloat32("encoder.bias", new float[] { 7, 8, 9 }, 3);
        writer.AddInt64("step", new long[] { 12345 }, 1);
        writer.AddInt32("ids", new[] { 1, 2 }, 2);
        using var original = new MemoryStream();
        writer.WriteTo(original);
        byte[] valid = original.ToArray();
        int headerEnd = 8 + BitConverter.ToInt32(valid, 0);

        using var temp = new TemporaryDirectory();
        string path = temp.File("fuzz.safetensors");
        var random = new Random(20240601);
        int refused = 0;
        for (int i = 0; i < Cases; i++)
        {
            byte[] mutated = Mutate(valid, headerEnd, random);
            File.WriteAllBytes(path, mutated);
            try
            {
                ReadEverything(path);
            }
            catch (InvalidDataException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"Case {i}: {e.GetType().Name}: {e.Message}\nFile bytes: {Convert.ToHexString(mutated)}");
            }
        }
        TestContext.Out.WriteLine($"{refused} of {Cases} mutated files refused, the rest still well-formed.");
        Assert.That(refused, Is.GreaterThan(Cases / 2), "most mutations should be caught");
    }

    private static void ReadEverything(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        foreach (var entry in file.Entries)
        {
            if (entry.DType.IsFloatingPoint())
            {
                file.ReadFloats(entry.Name);
            }
            else if (entry.DType.IsInteger())
            {
                file.ReadInt64s(entry.Name);
            }
        }
    }

    /// <summary>One of: truncation, a new length prefix, byte flips in the header, bytes inserted into or removed from the header.</summary>
    private static byte[] Mutate(byte[] valid, int headerEnd, Random random)
    {
        var bytes = new List<byte>(valid);
        switch (random.Next(5))
        {
            case 0:
                return valid[..random.Next(valid.Length)];
            case 1:
                byte[] relabelled = (byte[])valid.Clone();
                BitConverter.GetBytes((ulong)random.NextInt64(headerEnd + 64)).CopyTo(relabelled, 0);
                return relabelled;
            case 2:
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(8, headerEnd)] = (byte)random.Next(256);
                }
                break;
            case 3:
                bytes.Insert(random.Next(8, headerEnd), (byte)"0123456789,:[]{}\"- "[random.Next(19)]);
                break;
            default:
                bytes.RemoveAt(random.Next(8, headerEnd));
                break;
        }
        return [.. bytes];
    }
}

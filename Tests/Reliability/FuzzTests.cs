using System.IO.Compression;
using System.Text;
using MiniBioBert.Model;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// Seeded fuzzing of the readers that face user files: whatever the bytes, the corpus reader and the checkpoint
/// loader either succeed or throw <see cref="InvalidDataException"/>, never another exception type. (The safetensors
/// header itself is fuzzed in <c>SafeTensorsFuzzTests</c>, the tokenizer in <c>TokenizerPropertyTests</c>.)
/// </summary>
public class FuzzTests
{
    private const int CorpusCases = 300;
    private const int CheckpointCases = 150;

    [Test]
    public void CorpusReaderYieldsDocumentsOrInvalidDataException()
    {
        using var sandbox = new Sandbox();
        byte[] valid = File.ReadAllBytes(sandbox.WriteTinyCorpus(documents: 8));
        byte[] pubTator = Encoding.UTF8.GetBytes("123|t|A title .\n123|a|An abstract . With two sentences .\n123\t0\t1\tA\tChemical\tD1\n\n");
        var random = new Random(424242);
        int accepted = 0, refused = 0;
        string path = sandbox.PathOf("fuzz.txt");
        for (int i = 0; i < CorpusCases; i++)
        {
            byte[] bytes = MutateCorpus(random.Next(3) == 0 ? pubTator : valid, random);
            File.WriteAllBytes(path, bytes);
            try
            {
                // A small line cap so that over-long lines are reachable.
                accepted += CorpusReader.ReadDocuments([new CorpusSource(path)], maxLineBytes: 512).Count() > 0 ? 1 : 0;
            }
            catch (InvalidDataException e)
            {
                Assert.That(e.Message, Does.Contain(path), $"case {i}: the message names the file");
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}\nbytes: {Convert.ToHexString(bytes)}");
            }
        }
        TestContext.Out.WriteLine($"{accepted} accepted, {refused} refused of {CorpusCases}");
        Assert.That(refused, Is.GreaterThan(CorpusCases / 10), "the mutations reach the error paths");
        Assert.That(accepted, Is.GreaterThan(CorpusCases / 10), "and the success path");
    }

    [Test]
    public void CheckpointLoadSucceedsOrThrowsInvalidDataException()
    {
        using var sandbox = new Sandbox();
        string checkpoint = sandbox.CopyTinyCheckpoint();
        string weights = Path.Combine(checkpoint, "model.safetensors");
        string config = Path.Combine(checkpoint, "config.json");
        byte[] validWeights = File.ReadAllBytes(weights);
        byte[] validConfig = File.ReadAllBytes(config);
        var random = new Random(777);
        int refused = 0;
        for (int i = 0; i < CheckpointCases; i++)
        {
            bool damageConfig = random.Next(4) == 0;
            byte[] bytes = FlipBytes(damageConfig ? validConfig : validWeights, random, damageConfig ? 0 : 8);
            File.WriteAllBytes(damageConfig ? config : weights, bytes);
            File.WriteAllBytes(damageConfig ? weights : config, damageConfig ? validWeights : validConfig);
            try
            {
                BertForPreTraining.Load(checkpoint);
            }
            catch (InvalidDataException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i} ({(damageConfig ? "config.json" : "model.safetensors")}): {e.GetType().Name}: {e.Message}\n" +
                    (damageConfig ? Encoding.UTF8.GetString(bytes) : ""));
            }
        }
        TestContext.Out.WriteLine($"{refused} of {CheckpointCases} damaged checkpoints refused (flips in tensor data load fine)");
        Assert.That(refused, Is.GreaterThan(CheckpointCases / 10));
    }

    /// <summary>Truncation, byte flips (NUL, high bytes, newlines), a long run without newline, a gzip wrapper cut short, or random bytes.</summary>
    private static byte[] MutateCorpus(byte[] valid, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                return valid[..random.Next(valid.Length + 1)];
            case 1:
                return FlipBytes(valid, random, 0);
            case 2:
                int at = random.Next(valid.Length);
                return [.. valid[..at], .. Enumerable.Repeat((byte)'x', random.Next(100, 1200)), .. valid[at..]];
            case 3:
                byte[] gzip = Gzip(valid);
                return random.Next(2) == 0 ? gzip : gzip[..random.Next(gzip.Length)];
            case 4:
                return Gzip(FlipBytes(valid, random, 0));
            default:
                var noise = new byte[random.Next(0, 400)];
                random.NextBytes(noise);
                return noise;
        }
    }

    private static byte[] FlipBytes(byte[] valid, Random random, int from)
    {
        byte[] bytes = (byte[])valid.Clone();
        byte[] interesting = [0x00, 0x0A, 0x0D, 0x22, 0x7B, 0x7D, 0x80, 0xC3, 0xE2, 0xF0, 0xFF, (byte)'9', (byte)'-'];
        for (int flips = random.Next(1, 5); flips > 0; flips--)
        {
            bytes[random.Next(from, bytes.Length)] = random.Next(2) == 0 ? interesting[random.Next(interesting.Length)] : (byte)random.Next(256);
        }
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }
}

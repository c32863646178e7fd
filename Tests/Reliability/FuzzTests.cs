using System.IO.Compression;
using System.Text;
using MiniBioBert.Engine.IO;
using MiniBioBert.Model;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;

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
    private const int DownstreamCases = 200;

    /// <summary>The longest message a refusal may give, not counting the file's path (which it must name).</summary>
    private const int MaxMessageChars = 300;

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

    /// <summary>
    /// The fine-tuning readers (IOB, NICTA-PIBOSO, HoC) on damaged copies of a small valid file: each case reads or
    /// throws <see cref="InvalidDataException"/> whose message names the file and is short; never another exception.
    /// </summary>
    [TestCase("iob", 9191)]
    [TestCase("piboso", 9292)]
    [TestCase("hoc", 9393)]
    public void DownstreamReaderReadsOrThrowsAShortInvalidDataException(string reader, int seed)
    {
        using var sandbox = new Sandbox();
        (string text, Func<string, int> read) = reader switch
        {
            "iob" => ("Aspirin\tB-Chemical\ncauses\tO\nrenal\tB-Disease\nfailure\tI-Disease\n.\tO\n\nNo\tO\nentity\tO\n\n",
                (Func<string, int>)(path => IobFile.Read(path).Count)),
            "piboso" => ("###123\nbackground\tSome text .\noutcome\tMore text .\n\n###456\nother\tX .\n\n", path => PibosoReader.Read(path).Count),
            _ => ("pmid\tsent_idx\tlabels_raw\tsentence\n11\t0\tA--x ANDB\tSome text .\n12\t1\tNULL\tMore text .\n",
                path => HocReader.Read(path).Count),
        };
        byte[] valid = Encoding.UTF8.GetBytes(text);
        var random = new Random(seed);
        string path = sandbox.PathOf("fuzz.tsv");
        int accepted = 0, refused = 0;
        for (int i = 0; i < DownstreamCases; i++)
        {
            byte[] bytes = MutateText(valid, random);
            File.WriteAllBytes(path, bytes);
            try
            {
                read(path);
                accepted++;
            }
            catch (InvalidDataException e)
            {
                Assert.That(e.Message, Does.Contain(path), $"case {i}: the message names the file");
                Assert.That(e.Message.Length - path.Length, Is.LessThanOrEqualTo(MaxMessageChars), $"case {i}: a short message: {e.Message}");
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}\nbytes: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 400)))}");
            }
        }
        TestContext.Out.WriteLine($"{reader}: {accepted} read, {refused} refused of {DownstreamCases}");
        Assert.That(refused, Is.GreaterThan(DownstreamCases / 10), "the mutations reach the error paths");
        Assert.That(accepted, Is.GreaterThan(DownstreamCases / 10), "and the success path");
    }

    /// <summary>
    /// One or two of: byte flips, a line cut short, a tab removed, invalid UTF-8 inserted, CR LF line ends, a byte order
    /// mark, a huge line (10,000 words, or longer than the 1 MiB line cap), the file cut, or emptied.
    /// </summary>
    private static byte[] MutateText(byte[] valid, Random random)
    {
        byte[] bytes = valid;
        for (int mutations = random.Next(1, 3); mutations > 0; mutations--)
        {
            int at = random.Next(bytes.Length + 1);
            bytes = random.Next(10) switch
            {
                0 => bytes.Length == 0 ? bytes : FlipBytes(bytes, random, 0),
                1 => [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + random.Next(1, 12))..]],
                2 => bytes.AsSpan().IndexOf((byte)'\t') is var tab and >= 0 ? [.. bytes[..tab], .. bytes[(tab + 1)..]] : bytes,
                3 => [.. bytes[..at], .. (random.Next(3) switch { 0 => new byte[] { 0xE9 }, 1 => [0xC3], _ => [0xF0, 0x28, 0x8C] }), .. bytes[at..]],
                4 => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\n", "\r\n", StringComparison.Ordinal)),
                5 => [0xEF, 0xBB, 0xBF, .. bytes],
                6 => [.. bytes[..at], .. Encoding.UTF8.GetBytes(string.Join(' ', Enumerable.Range(0, 10_000).Select(w => $"w{w}"))), .. bytes[at..]],
                7 => random.Next(20) == 0 ? [.. bytes[..at], .. Enumerable.Repeat((byte)'x', Utf8LineReader.DefaultMaxLineBytes + 10), .. bytes[at..]] : bytes,
                8 => bytes[..at],
                _ => random.Next(10) == 0 ? [] : [.. bytes[..at], (byte)'\n', .. bytes[at..]],
            };
        }
        return bytes;
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

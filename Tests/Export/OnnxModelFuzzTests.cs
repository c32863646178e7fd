using Google.Protobuf;
using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Tests.Model.Checkpoints;
using MiniBioBert.Training.Export;

namespace MiniBioBert.Tests.Export;

/// <summary>
/// Seeded fuzzing of what <c>predict ner --runtime onnx</c> reads: an exported token classifier, damaged (bytes
/// flipped, cut short, bytes inserted), either tags the text or is refused with one of the project's documented
/// exceptions (InvalidDataException, ArgumentException) whose message names the file and stays short; never another
/// exception.
/// </summary>
public class OnnxModelFuzzTests
{
    private static readonly string[] Words = ["aspirin", "fever", "the", "took"];

    [Test]
    public void DamagedExportedModelsAreRefusedOrRun()
    {
        using var directory = new TemporaryDirectory();
        string vocab = directory.File("vocab.txt");
        File.WriteAllLines(vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Words]);
        var config = new BertConfig { VocabSize = 5 + Words.Length, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 16 };
        string checkpoint = Path.Combine(directory.Path, "ner");
        new BertForFineTuning(new BertForPreTraining(config, seed: 1), FineTuningTask.TokenClassification, ["O", "B-Chemical", "I-Chemical"], seed: 2)
            .Save(checkpoint, vocab);
        byte[] valid = OnnxExport.Build(checkpoint).Model.ToByteArray();
        var random = new Random(11);
        int ran = 0, refused = 0;
        for (int round = 0; round < 60; round++)
        {
            string path = directory.File($"damaged-{round}.onnx");
            File.WriteAllBytes(path, Mutate(valid, random));
            try
            {
                OnnxPredictNer.Run(checkpoint, path, "the patient took aspirin", maxSequenceLength: 16);
                ran++;
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                refused++;
                Assert.That(e.Message, Does.Contain(path), $"round {round}");
                Assert.That(e.Message.Replace(path, "", StringComparison.Ordinal), Has.Length.LessThanOrEqualTo(400), $"round {round}");
            }
        }
        TestContext.Out.WriteLine($"{ran} ran, {refused} refused");
        Assert.That(refused, Is.GreaterThan(0));
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = valid.ToList();
        switch (random.Next(3))
        {
            case 0:
                for (int i = random.Next(1, 8); i > 0; i--)
                {
                    bytes[random.Next(bytes.Count)] ^= (byte)random.Next(1, 256);
                }
                break;
            case 1:
                int keep = random.Next(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            default:
                bytes.InsertRange(random.Next(bytes.Count), Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                break;
        }
        return [.. bytes];
    }
}

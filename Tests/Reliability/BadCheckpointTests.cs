using System.Text.Json.Nodes;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Training.Commands;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// Damaged checkpoint directories fed to <c>loss</c> (and <c>eval</c>, <c>train --init</c>): each is refused with one
/// line naming the file and the problem, exit code 1, and the gradients file is not written.
/// </summary>
public class BadCheckpointTests
{
    private const string Weights = "model.safetensors";

    /// <summary>Name, the damage done to a copy of the tiny checkpoint, words the message must contain.</summary>
    private static IEnumerable<TestCaseData> Damages()
    {
        yield return Case("truncated", dir => Cut(dir, 100), Weights, "run past the end of the file");
        yield return Case("header length larger than the file", dir => Relabel(dir, fileLength => fileLength), Weights, "larger than");
        yield return Case("header length over the cap", dir => Relabel(dir, _ => 1UL << 40), Weights, "exceeds");
        yield return Case("malformed JSON header", dir => File.WriteAllBytes(Path.Combine(dir, Weights),
            SafeTensorsSurgery.Assemble("{\"bert.embeddings.word_embeddings.weight\": {\"dtype\": \"F32\", "u8.ToArray(), new byte[64])), Weights, "JSON");
        yield return Case("unknown dtype", dir => EditHeader(dir, s => s.Tensors.First().Entry["dtype"] = "Q7"), Weights, "Q7");
        yield return Case("overlapping offsets", Overlap, Weights, "overlap");
        yield return Case("gap between tensors", Gap, Weights, "gap");
        yield return Case("missing tensor", dir => Rewrite(dir, drop: "bert.pooler.dense.bias"), Weights, "missing", "bert.pooler.dense.bias");
        yield return Case("extra tensor", dir => Rewrite(dir, add: "bert.encoder.layer.9.output.dense.bias"), Weights, "unexpected", "layer.9");
        yield return Case("shapes unlike config.json", dir => EditConfig(dir, c => c["intermediate_size"] = 32), Weights, "intermediate.dense.weight", "[28, 16]", "[32, 16]");
        yield return Case("no model.safetensors", dir => File.Delete(Path.Combine(dir, Weights)), Weights);
        yield return Case("no config.json", dir => File.Delete(Path.Combine(dir, "config.json")), "config.json");
        yield return Case("malformed config.json", dir => File.WriteAllText(Path.Combine(dir, "config.json"), "{\"hidden_size\": 16,"), "config.json", "JSON");
        yield return Case("config: heads do not divide hidden", dir => EditConfig(dir, c => c["num_attention_heads"] = 3), "config.json", "divisible");
        yield return Case("config: zero layers", dir => EditConfig(dir, c => c["num_hidden_layers"] = 0), "config.json", "num_hidden_layers");
        yield return Case("config: negative vocab", dir => EditConfig(dir, c => c["vocab_size"] = -5), "config.json", "vocab_size");
        yield return Case("config: hidden size as text", dir => EditConfig(dir, c => c["hidden_size"] = "sixteen"), "config.json", "hidden_size");
        yield return Case("config: dropout 1.5", dir => EditConfig(dir, c => c["hidden_dropout_prob"] = 1.5), "config.json", "hidden_dropout_prob");
        yield return Case("config: relu activation", dir => EditConfig(dir, c => c["hidden_act"] = "relu"), "config.json", "hidden_act");
        yield return Case("config: 2^31 vocabulary", dir => EditConfig(dir, c => c["vocab_size"] = int.MaxValue), "config.json", "vocab_size", "parameters");
        yield return Case("config: 10^9-wide hidden layer", dir => EditConfig(dir, c =>
        {
            c["hidden_size"] = 1_000_000_000;
            c["num_attention_heads"] = 1;
        }), "config.json", "hidden_size", "parameters");
    }

    [TestCaseSource(nameof(Damages))]
    public void LossRefusesItAndWritesNoGradients(Action<string> damage, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string checkpoint = sandbox.CopyTinyCheckpoint();
        damage(checkpoint);
        string grads = sandbox.PathOf("grads.safetensors");

        var result = Cli.Run(sandbox, "loss", "--checkpoint", checkpoint, "--batch", TestData.FixturePath("tiny_bert_batch.safetensors"), "--grads", grads);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, mentions);
        Assert.That(Directory.EnumerateFiles(sandbox.Root, "grads*"), Is.Empty, "no gradient file, complete or partial");
    }

    [Test]
    public void EvalRefusesATruncatedCheckpoint()
    {
        using var sandbox = new Sandbox();
        string checkpoint = sandbox.CopyTinyCheckpoint();
        Cut(checkpoint, 100);

        var result = Cli.Run(sandbox, "eval", "--checkpoint", checkpoint, "--corpus", sandbox.WriteTinyCorpus());

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, Weights);
    }

    [Test]
    public void TrainInitRefusesATruncatedCheckpointBeforeCreatingTheRunDirectory()
    {
        using var sandbox = new Sandbox();
        string checkpoint = sandbox.CopyTinyCheckpoint();
        Cut(checkpoint, 100);
        string run = sandbox.PathOf("run");

        var result = Cli.Run(sandbox, ["train", "--init", checkpoint, "--corpus", sandbox.WriteTinyCorpus(), "--output", run, "--steps", "1", "--max-seq", "16"]);

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, Weights);
        Assert.That(Directory.Exists(run), Is.False);
    }

    [Test]
    public void LossRefusesABatchFileWithoutLabels()
    {
        using var sandbox = new Sandbox();
        var writer = new SafeTensorsWriter();
        writer.AddInt64("input_ids", new long[] { 2, 5, 3 }, 1, 3);
        string batch = sandbox.PathOf("batch.safetensors");
        writer.Write(batch);

        var result = Cli.Run(sandbox, "loss", "--checkpoint", Sandbox.TinyCheckpoint, "--batch", batch, "--grads", sandbox.PathOf("grads.safetensors"));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, "batch.safetensors", "token_type_ids");
    }

    [Test]
    public void TheParameterCountBoundIsTheModelsParameterCount()
    {
        var config = MiniBioBert.Model.Checkpoints.BertConfigJson.Read(Path.Combine(Sandbox.TinyCheckpoint, "config.json"));
        Assert.That(config.ParameterCount(), Is.EqualTo(new MiniBioBert.Model.BertForPreTraining(config).Parameters.Count));
        var bigger = config with { NumHiddenLayers = 3, IntermediateSize = 40, VocabSize = 77 };
        Assert.That(bigger.ParameterCount(), Is.EqualTo(new MiniBioBert.Model.BertForPreTraining(bigger).Parameters.Count));
    }

    private static TestCaseData Case(string name, Action<string> damage, params string[] mentions) =>
        new TestCaseData(damage, mentions).SetName($"{{m}}({name})");

    private static void Cut(string dir, int bytes)
    {
        string path = Path.Combine(dir, Weights);
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..^bytes]);
    }

    private static void Relabel(string dir, Func<ulong, ulong> length)
    {
        string path = Path.Combine(dir, Weights);
        byte[] all = File.ReadAllBytes(path);
        BitConverter.GetBytes(length((ulong)all.Length)).CopyTo(all, 0);
        File.WriteAllBytes(path, all);
    }

    private static void EditHeader(string dir, Action<SafeTensorsSurgery> edit)
    {
        string path = Path.Combine(dir, Weights);
        var surgery = SafeTensorsSurgery.Read(path);
        edit(surgery);
        surgery.Write(path);
    }

    /// <summary>Two tensors of the same byte size made to share the first one's bytes.</summary>
    private static void Overlap(string dir) => EditHeader(dir, s =>
    {
        var sameSize = s.Tensors.GroupBy(t => Size(t.Entry)).First(g => g.Count() >= 2).ToList();
        var (begin, end) = SafeTensorsSurgery.Offsets(sameSize[0].Entry);
        SafeTensorsSurgery.SetOffsets(sameSize[1].Entry, begin, end);
    });

    /// <summary>8 unused bytes inserted in the middle of the data buffer, later tensors shifted past them.</summary>
    private static void Gap(string dir) => EditHeader(dir, s =>
    {
        long cut = s.Tensors.Select(t => SafeTensorsSurgery.Offsets(t.Entry).Begin).Order().ElementAt(s.Tensors.Count() / 2);
        foreach (var (_, entry) in s.Tensors)
        {
            var (begin, end) = SafeTensorsSurgery.Offsets(entry);
            if (begin >= cut)
            {
                SafeTensorsSurgery.SetOffsets(entry, begin + 8, end + 8);
            }
        }
        s.Data = [.. s.Data[..(int)cut], .. new byte[8], .. s.Data[(int)cut..]];
    });

    private static long Size(JsonObject entry)
    {
        var (begin, end) = SafeTensorsSurgery.Offsets(entry);
        return end - begin;
    }

    /// <summary>Rewrites the weights with one tensor dropped or one added.</summary>
    private static void Rewrite(string dir, string? drop = null, string? add = null)
    {
        string path = Path.Combine(dir, Weights);
        var writer = new SafeTensorsWriter();
        using (var file = SafeTensorsFile.Open(path))
        {
            writer.AddMetadata("format", "pt");
            foreach (var entry in file.Entries.Where(e => e.Name != drop))
            {
                writer.AddFloat32(entry.Name, file.ReadFloats(entry.Name), entry.ShapeArray());
            }
        }
        if (add is not null)
        {
            writer.AddFloat32(add, new float[16], 16);
        }
        writer.Write(path);
    }

    private static void EditConfig(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, "config.json");
        var config = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }
}

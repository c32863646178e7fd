using MiniBioBert.Benchmarks.Measurements;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MiniBioBert.Engine;
using MiniBioBert.Model;
using MiniBioBert.Model.Checkpoints;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Tests.Reliability;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// Every command that runs the model, on the tiny fixture checkpoint (2 layers, hidden 16, intermediate 28, 40 tokens,
/// 20 positions), with <c>--device reference</c> and <c>--device ilgpu-cpu</c> against <c>--device cpu</c>: the same
/// predictions, and losses, gradients and weights within the float32 bounds of <see cref="FloatBounds"/>.
/// </summary>
[Category("Gpu")]
public class EveryDeviceCommandTests
{
    /// <summary>The longest reduction of the tiny fixture model: the intermediate size (hidden 16, ≤ 20 positions, ≤ 5 labels).</summary>
    private const int Length = 28;

    private static readonly int Stages = FloatBounds.BertStages(layers: 2);

    private static readonly string[] Labels = ["O", "B-Gene", "I-Gene", "B-Chemical"];

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void LossGivesTheCpuLossesAndGradients(string device)
    {
        using var sandbox = new Sandbox();
        var (cpuJson, cpuGrads) = Loss(sandbox, "cpu");
        var (json, grads) = Loss(sandbox, device);

        double forward = FloatBounds.Forward(Stages, Length);
        foreach (string name in new[] { "mlm_accuracy", "nsp_accuracy" })
        {
            Assert.That(json[name], Is.EqualTo(cpuJson[name]), name);
        }
        foreach (string name in new[] { "mlm_loss", "nsp_loss", "loss" })
        {
            Assert.That(json[name], Is.EqualTo(cpuJson[name]).Within(forward * Math.Abs(cpuJson[name])), name);
        }
        // All gradients as one vector, normwise: the key biases' noise is measured against the largest gradient.
        GpuTesting.AssertClose(grads, cpuGrads, $"gradients on {device}", FloatBounds.Backward(Stages, Length));
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void FinetuneNerGivesTheCpuPredictionsAndWeights(string device)
    {
        using var sandbox = new Sandbox();
        string data = WriteNerData(sandbox);
        string[] arguments = ["finetune", "ner", "--data", data, "--init", Sandbox.TinyCheckpoint, .. Quick];

        var cpu = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf("cpu")]);
        var other = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf(device), "--device", device]);

        AssertSucceeded(cpu, other);
        foreach (string file in new[] { "devel.predictions.tsv", "test.predictions.tsv", "scores.txt" })
        {
            Assert.That(File.ReadAllText(sandbox.PathOf(Path.Combine(device, file))), Is.EqualTo(File.ReadAllText(sandbox.PathOf(Path.Combine("cpu", file)))), file);
        }
        AssertSameLines(other.Output, cpu.Output, "test entity F1");
        AssertWeightsClose(sandbox.PathOf(Path.Combine("cpu", "checkpoint")), sandbox.PathOf(Path.Combine(device, "checkpoint")), QuickSteps, device);
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void FinetuneClassifyGivesTheCpuScoresAndWeights(string device)
    {
        using var sandbox = new Sandbox();
        string dataRoot = WriteHocData(sandbox);
        using var dataRootOverride = new DataRootOverride(dataRoot);
        // Multi-label: the loss is BinaryCrossEntropyWithLogits, on the logits' device.
        string[] arguments = ["finetune", "classify", "--task", "hoc", "--init", Sandbox.TinyCheckpoint, .. Quick];
        var cpu = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf("cpu")]);
        var other = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf(device), "--device", device]);

        AssertSucceeded(cpu, other);
        Assert.That(File.ReadAllText(sandbox.PathOf(Path.Combine(device, "scores.txt"))), Is.EqualTo(File.ReadAllText(sandbox.PathOf(Path.Combine("cpu", "scores.txt")))),
            "the same predictions give the same scores");
        AssertSameLines(other.Output, cpu.Output, "test accuracy");
        AssertWeightsClose(sandbox.PathOf(Path.Combine("cpu", "checkpoint")), sandbox.PathOf(Path.Combine(device, "checkpoint")), QuickSteps, device);
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void PredictNerFindsTheCpuEntities(string device)
    {
        using var sandbox = new Sandbox();
        // An untrained head (seeded): its arg-max labels are spread over every tag, so there are entities to find.
        string checkpoint = sandbox.PathOf("tagger");
        new BertForFineTuning(BertForPreTraining.Load(Sandbox.TinyCheckpoint), FineTuningTask.TokenClassification, Labels, seed: 3)
            .Save(checkpoint, Sandbox.TinyVocabulary);
        string[] arguments = ["predict", "ner", "--checkpoint", checkpoint, "--text", "the patient binds the receptor and the gene is expressed in tumor cells ."];

        var cpu = Cli.Run(sandbox, arguments);
        var other = Cli.Run(sandbox, [.. arguments, "--device", device]);

        AssertSucceeded(cpu, other);
        Assert.That(cpu.Output, Is.Not.Empty, "the untrained tagger finds entities");
        Assert.That(other.Output, Is.EqualTo(cpu.Output));
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void InspectFillMaskGivesTheCpuCandidates(string device)
    {
        using var sandbox = new Sandbox();
        string[] arguments = ["inspect", "fill-mask", "--checkpoint", Sandbox.TinyCheckpoint, "--text", "the patient [MASK] the [MASK] .", "--top-k", "4", "--json"];

        var cpu = Cli.Run(sandbox, arguments);
        var other = Cli.Run(sandbox, [.. arguments, "--device", device]);

        AssertSucceeded(cpu, other);
        using var cpuJson = JsonDocument.Parse(cpu.Output);
        using var json = JsonDocument.Parse(other.Output);
        // p = exp(z − logsumexp z) from logits z that differ by at most δ_f·max|z| each: log p moves by at most twice that.
        double bound = 2 * FloatBounds.Forward(Stages, Length) * MaxAbsMlmLogit("the patient [MASK] the [MASK] .");
        Assert.That(json.RootElement.GetArrayLength(), Is.EqualTo(cpuJson.RootElement.GetArrayLength()));
        for (int m = 0; m < cpuJson.RootElement.GetArrayLength(); m++)
        {
            var expected = cpuJson.RootElement[m].GetProperty("predictions");
            var actual = json.RootElement[m].GetProperty("predictions");
            for (int rank = 0; rank < expected.GetArrayLength(); rank++)
            {
                Assert.That(actual[rank].GetProperty("token").GetInt32(), Is.EqualTo(expected[rank].GetProperty("token").GetInt32()), $"mask {m} rank {rank}");
                double score = expected[rank].GetProperty("score").GetDouble();
                Assert.That(actual[rank].GetProperty("score").GetDouble(), Is.EqualTo(score).Within(bound * score), $"mask {m} rank {rank}");
            }
        }
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void InspectAttentionDrawsTheCpuMaps(string device)
    {
        using var sandbox = new Sandbox();
        string[] arguments = ["inspect", "attention", "--checkpoint", Sandbox.TinyCheckpoint, "--text", "the patient binds the receptor ."];

        var cpu = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf("cpu")]);
        var other = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf(device), "--device", device]);

        AssertSucceeded(cpu, other);
        Assert.That(other.Output.Replace(device, "cpu", StringComparison.Ordinal), Is.EqualTo(cpu.Output), "the same tokens, layers and heads");
        Assert.That(Directory.GetFiles(sandbox.PathOf(device), "*.png").Select(Path.GetFileName),
            Is.EquivalentTo(Directory.GetFiles(sandbox.PathOf("cpu"), "*.png").Select(Path.GetFileName)));
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void CompareGivesTheCpuTable(string device)
    {
        using var sandbox = new Sandbox();
        string data = WriteNerData(sandbox);
        // 'random' would build a full-size encoder (hidden 256, 4 layers): too slow here. The tiny checkpoint is the
        // "pretrained" arm; the random arm uses a tiny vocabulary, and one small step keeps it quick.
        string[] arguments = ["compare", "--data", data, "--pretrained", Sandbox.TinyCheckpoint, "--seeds", "1", "--vocab", Sandbox.TinyVocabulary,
            "--epochs", "1", "--batch", "2", "--max-seq", "4", "--train-limit", "1", "--eval-limit", "1", "--patience", "1", "--threads", "1"];

        var cpu = Cli.Run(sandbox, [.. arguments, "--doc", sandbox.PathOf("cpu.md"), "--image", sandbox.PathOf("cpu.png")]);
        var other = Cli.Run(sandbox, [.. arguments, "--doc", sandbox.PathOf("other.md"), "--image", sandbox.PathOf("other.png"), "--device", device]);

        AssertSucceeded(cpu, other);
        // The F1 of equal predictions are equal: the table and the summary lines match exactly.
        AssertSameLines(other.Output, cpu.Output, "test F1");
        Assert.That(File.ReadAllText(sandbox.PathOf("other.md")).Replace("other.png", "cpu.png", StringComparison.Ordinal), Is.EqualTo(File.ReadAllText(sandbox.PathOf("cpu.md"))));
    }

    /// <summary>Two epochs of 16 sentences in batches of 8: four AdamW steps.</summary>
    internal const int QuickSteps = 4;

    private const double QuickLearningRate = 3e-3;

    internal static readonly string[] Quick =
    [
        "--epochs", "2", "--batch", "8", "--lr", QuickLearningRate.ToString(CultureInfo.InvariantCulture), "--max-seq", "16", "--seed", "1", "--patience", "2", "--threads", "1",
    ];

    internal static void AssertSucceeded(CliResult cpu, CliResult other)
    {
        Assert.That(cpu.ExitCode, Is.EqualTo(CommandRunner.Success), cpu.ToString());
        Assert.That(other.ExitCode, Is.EqualTo(CommandRunner.Success), other.ToString());
    }

    /// <summary>The lines that contain <paramref name="marker"/> are the same in both outputs (and there is one at least).</summary>
    internal static void AssertSameLines(string actual, string expected, string marker)
    {
        string[] Lines(string text) => [.. text.Split('\n').Where(line => line.Contains(marker, StringComparison.Ordinal))];
        Assert.That(Lines(expected), Is.Not.Empty, $"a line with '{marker}'");
        Assert.That(Lines(actual), Is.EqualTo(Lines(expected)));
    }

    /// <summary>
    /// The fine-tuned weights (encoder and head) within δ_θ normwise of the CPU's (<see cref="FloatBounds.Weights"/>),
    /// the key biases within AdamW's largest possible movement (lr per step) apart.
    /// </summary>
    private static void AssertWeightsClose(string cpuCheckpoint, string otherCheckpoint, int steps, string device) =>
        AssertWeightsClose(BertForFineTuning.Load(cpuCheckpoint).ParameterBuffers, BertForFineTuning.Load(otherCheckpoint).ParameterBuffers, steps, device);

    /// <summary>
    /// As above, for the parameter buffers (encoder, head) of any fine-tuned model; <paramref name="alsoZero"/> names
    /// further parameters whose gradient is mathematically zero in this model.
    /// </summary>
    internal static void AssertWeightsClose(IReadOnlyList<ParameterBuffer> expected, IReadOnlyList<ParameterBuffer> actual, int steps, string device,
        Func<string, bool>? alsoZero = null)
    {
        bool IsZero(string name) => FloatBounds.GradientIsZero(name) || (alsoZero?.Invoke(name) ?? false);
        float[] Weights(IReadOnlyList<ParameterBuffer> buffers, bool zeroGradient) => [.. buffers.SelectMany(b => b.Parameters)
            .Where(p => IsZero(p.Name) == zeroGradient).SelectMany(p => p.Value.ToArray())];
        double bound = FloatBounds.Weights(steps, QuickLearningRate, FloatBounds.Backward(Stages, Length));
        GpuTesting.AssertClose(Weights(actual, false), Weights(expected, false), $"fine-tuned weights on {device}", bound);
        float[] keyBiases = Weights(actual, true), cpuKeyBiases = Weights(expected, true);
        for (int i = 0; i < keyBiases.Length; i++)
        {
            Assert.That(keyBiases[i], Is.EqualTo(cpuKeyBiases[i]).Within(2 * steps * QuickLearningRate), "key bias");
        }
    }

    /// <summary>max|z| over the MLM logits at the [MASK] positions of <paramref name="text"/>, on the CPU.</summary>
    private static double MaxAbsMlmLogit(string text)
    {
        var checkpoint = MiniBioBert.Training.Inspection.InspectedCheckpoint.Load(Sandbox.TinyCheckpoint);
        var input = checkpoint.Encode(text);
        int[] positions = [.. Enumerable.Range(0, input.InputIds.Length).Where(i => input.InputIds[i] == checkpoint.Tokenizer.Vocabulary.MaskId)];
        using var noGrad = MiniBioBert.Engine.Autograd.GradMode.NoGrad();
        return checkpoint.Model.MlmHead.Forward(checkpoint.RunEncoder(input), positions).ToArray().Max(z => Math.Abs((double)z));
    }

    private static (Dictionary<string, double> Json, float[] Gradients) Loss(Sandbox sandbox, string device)
    {
        string grads = sandbox.PathOf($"grads-{device}.safetensors");
        var result = Cli.Run(sandbox, "loss", "--checkpoint", Sandbox.TinyCheckpoint, "--batch", TestData.FixturePath("tiny_bert_batch.safetensors"),
            "--grads", grads, "--device", device);
        Assert.That(result.ExitCode, Is.EqualTo(CommandRunner.Success), result.ToString());
        var json = JsonSerializer.Deserialize<Dictionary<string, double>>(result.Output)!;
        using var file = SafeTensorsFile.Open(grads);
        return (json, [.. file.Names.Order(StringComparer.Ordinal).SelectMany(file.ReadFloats)]);
    }

    /// <summary>train/devel/test.tsv of sentences over the tiny vocabulary: genes and drugs among filler words.</summary>
    private static string WriteNerData(Sandbox sandbox)
    {
        string[] genes = ["gene", "protein", "kinase", "receptor"];
        string[] drugs = ["drug", "dna", "rna"];
        string[] fillers = ["the", "patient", "binds", "cells", "of", "and", "in", "is", "expressed", "tumor"];
        var random = new Random(11);
        string Sentences(int count)
        {
            var text = new StringBuilder();
            for (int s = 0; s < count; s++)
            {
                for (int w = 0; w < 6; w++)
                {
                    int kind = random.Next(4);
                    string word = kind == 0 ? genes[random.Next(genes.Length)] : kind == 1 ? drugs[random.Next(drugs.Length)] : fillers[random.Next(fillers.Length)];
                    text.Append(word).Append('\t').Append(kind == 0 ? "B-Gene" : kind == 1 ? "B-Chemical" : "O").Append('\n');
                }
                text.Append('\n');
            }
            return text.ToString();
        }
        sandbox.Write(Path.Combine("ner", "train.tsv"), Sentences(16));
        sandbox.Write(Path.Combine("ner", "devel.tsv"), Sentences(8));
        sandbox.Write(Path.Combine("ner", "test.tsv"), Sentences(8));
        return sandbox.PathOf("ner");
    }

    /// <summary>A data root with classification/hoc/hoc_sentences.tsv: 16 train, 8 devel and 8 test sentences (by the PMID split).</summary>
    private static string WriteHocData(Sandbox sandbox)
    {
        var random = new Random(12);
        string[] words = ["the", "patient", "tumor", "cells", "drug", "gene", "binds", "dose", "of", "and", "in", "is"];
        var text = new StringBuilder("pmid\tsent_idx\tlabels_raw\tsentence\n");
        var wanted = new Dictionary<int, int> { [0] = 8, [1] = 8, [2] = 16 }; // bucket 0 = test, 1 = devel, ≥ 2 = train
        for (int pmid = 1000; wanted.Values.Any(n => n > 0); pmid++)
        {
            string id = pmid.ToString(CultureInfo.InvariantCulture);
            int bucket = Math.Min(2, HocReader.SplitBucket(id));
            if (wanted[bucket] == 0)
            {
                continue;
            }
            wanted[bucket]--;
            string[] sentence = [.. Enumerable.Range(0, 6).Select(_ => words[random.Next(words.Length)])];
            var labels = new List<string>();
            if (sentence.Contains("tumor"))
            {
                labels.Add("Sustaining proliferative signaling--x");
            }
            if (sentence.Contains("drug"))
            {
                labels.Add("Evading growth suppressors--y");
            }
            text.Append(id).Append("\t0\t").Append(labels.Count == 0 ? "NULL" : string.Join("AND", labels)).Append('\t').AppendJoin(' ', sentence).Append('\n');
        }
        sandbox.Write(Path.Combine("data", "classification", "hoc", "hoc_sentences.tsv"), text.ToString());
        return sandbox.PathOf("data");
    }
}

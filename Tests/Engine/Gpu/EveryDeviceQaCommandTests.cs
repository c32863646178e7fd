using System.Globalization;
using System.Text.Json;
using MiniBioBert.Benchmarks.Measurements;
using MiniBioBert.Model;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Tests.Downstream;
using MiniBioBert.Tests.Reliability;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary>
/// The question-answering commands (<c>finetune qa</c>, <c>predict qa</c>, <c>finetune classify --task pubmedqa</c>) on
/// the tiny fixture checkpoint with <c>--device reference</c> and <c>--device ilgpu-cpu</c> against <c>--device cpu</c>,
/// held to the same bounds as the other commands (<see cref="EveryDeviceCommandTests"/>).
/// </summary>
[Category("Gpu")]
public class EveryDeviceQaCommandTests
{
    private static readonly string[] QaPacking = ["--max-question", "4", "--doc-stride", "3"];

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void FinetuneQaGivesTheCpuAnswersAndWeights(string device)
    {
        using var sandbox = new Sandbox();
        string data = SyntheticBioAsq.Write(sandbox.PathOf("bioasq"), train: 6, devel: 2, test: 3);
        int trainPairs = QaDataSet.Load(data).Train.Count; // one window each at max-seq 16
        int steps = 2 * ((trainPairs + 7) / 8);
        string[] arguments = ["finetune", "qa", "--data", data, "--init", Sandbox.TinyCheckpoint, .. EveryDeviceCommandTests.Quick, .. QaPacking];

        var cpu = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf("cpu")]);
        var other = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf(device), "--device", device]);

        EveryDeviceCommandTests.AssertSucceeded(cpu, other);
        Assert.That(File.ReadAllText(sandbox.PathOf(Path.Combine(device, "scores.txt"))), Is.EqualTo(File.ReadAllText(sandbox.PathOf(Path.Combine("cpu", "scores.txt")))));
        Assert.That(AnswerTexts(sandbox.PathOf(Path.Combine(device, "test.predictions.json"))), Is.EqualTo(AnswerTexts(sandbox.PathOf(Path.Combine("cpu", "test.predictions.json")))),
            "the same ranked answers");
        EveryDeviceCommandTests.AssertSameLines(other.Output, cpu.Output, "test strict accuracy");
        EveryDeviceCommandTests.AssertWeightsClose(BertForQuestionAnswering.Load(sandbox.PathOf(Path.Combine("cpu", "checkpoint"))).ParameterBuffers,
            BertForQuestionAnswering.Load(sandbox.PathOf(Path.Combine(device, "checkpoint"))).ParameterBuffers, steps, device, SpanGradientIsZero);
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void PredictQaGivesTheCpuAnswers(string device)
    {
        using var sandbox = new Sandbox();
        // An untrained head (seeded): its answers are spread over the context.
        string checkpoint = sandbox.PathOf("reader");
        new BertForQuestionAnswering(BertForPreTraining.Load(Sandbox.TinyCheckpoint), seed: 3).Save(checkpoint, Sandbox.TinyVocabulary);
        string[] arguments = ["predict", "qa", "--checkpoint", checkpoint, "--question", "which gene ?", "--context", "the patient kinase is in the tumor cells .",
            "--context", "the receptor of the blood cells", "--max-seq", "16", .. QaPacking];

        var cpu = Cli.Run(sandbox, arguments);
        var other = Cli.Run(sandbox, [.. arguments, "--device", device]);

        EveryDeviceCommandTests.AssertSucceeded(cpu, other);
        string[][] Rows(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t'))];
        var expected = Rows(cpu.Output);
        var actual = Rows(other.Output);
        Assert.That(expected, Has.Length.EqualTo(5), "five ranked answers");
        Assert.That(actual.Select(row => row[2]), Is.EqualTo(expected.Select(row => row[2])), "the same answers in the same order");
        // p = softmax of logit sums that differ by at most 2·δ_f·max|z| (printed to 4 decimals).
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(double.Parse(actual[i][1], CultureInfo.InvariantCulture), Is.EqualTo(double.Parse(expected[i][1], CultureInfo.InvariantCulture)).Within(2e-4), $"rank {i + 1}");
        }
    }

    [TestCase("reference")]
    [TestCase("ilgpu-cpu")]
    public void FinetunePubMedQaGivesTheCpuScoresAndWeights(string device)
    {
        using var sandbox = new Sandbox();
        string dataRoot = WritePubMedQa(sandbox);
        using var dataRootOverride = new DataRootOverride(dataRoot);
        string[] arguments = ["finetune", "classify", "--task", "pubmedqa", "--init", Sandbox.TinyCheckpoint, .. EveryDeviceCommandTests.Quick];
        var cpu = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf("cpu")]);
        var other = Cli.Run(sandbox, [.. arguments, "--output", sandbox.PathOf(device), "--device", device]);

        EveryDeviceCommandTests.AssertSucceeded(cpu, other);
        Assert.That(File.ReadAllText(sandbox.PathOf(Path.Combine(device, "scores.txt"))), Is.EqualTo(File.ReadAllText(sandbox.PathOf(Path.Combine("cpu", "scores.txt")))));
        EveryDeviceCommandTests.AssertSameLines(other.Output, cpu.Output, "test accuracy");
        Assert.That(cpu.Output, Does.Contain("majority baseline"));
        EveryDeviceCommandTests.AssertWeightsClose(BertForFineTuning.Load(sandbox.PathOf(Path.Combine("cpu", "checkpoint"))).ParameterBuffers,
            BertForFineTuning.Load(sandbox.PathOf(Path.Combine(device, "checkpoint"))).ParameterBuffers, EveryDeviceCommandTests.QuickSteps, device);
    }

    /// <summary>
    /// The span head's bias and the last LayerNorm's bias (of the tiny model's 2 layers) add a constant to every
    /// position's start (end) logit, which the softmax over positions ignores: their gradients are rounding noise only.
    /// </summary>
    private static bool SpanGradientIsZero(string name) => name is SpanHead.BiasName or "bert.encoder.layer.1.output.LayerNorm.bias";

    /// <summary>Each test question's answer texts in rank order.</summary>
    private static string[][] AnswerTexts(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.EnumerateArray().Select(q => q.GetProperty("answers").EnumerateArray().Select(a => a.GetProperty("text").GetString()!).ToArray())];
    }

    /// <summary>
    /// A data root with qa/pubmedqa: 16 train, 2 devel (by the PMID split) and 8 test questions over the tiny
    /// vocabulary; "yes" when the context names a drug.
    /// </summary>
    internal static string WritePubMedQa(Sandbox sandbox)
    {
        var random = new Random(13);
        string[] words = ["the", "patient", "tumor", "cells", "gene", "binds", "dose", "of", "and", "in", "is", "blood"];
        var questions = new Dictionary<string, object>();
        var test = new Dictionary<string, string>();
        int train = 0, devel = 0;
        for (int pmid = 2000; train < 16 || devel < 2 || test.Count < 8; pmid++)
        {
            string id = pmid.ToString(CultureInfo.InvariantCulture);
            bool isTest = pmid % 3 == 0, isDevel = !isTest && Fnv1a.Hash(id) % 10 == 0;
            if (isTest ? test.Count >= 8 : isDevel ? devel >= 2 : train >= 16)
            {
                continue;
            }
            string[] context = [.. Enumerable.Range(0, 8).Select(_ => random.Next(4) == 0 ? "drug" : words[random.Next(words.Length)])];
            string decision = context.Contains("drug") ? "yes" : random.Next(3) == 0 ? "maybe" : "no";
            questions[id] = new { QUESTION = "is the dose in the blood ?", CONTEXTS = new[] { string.Join(' ', context[..4]), string.Join(' ', context[4..]) }, final_decision = decision };
            if (isTest)
            {
                test[id] = decision;
            }
            else if (isDevel)
            {
                devel++;
            }
            else
            {
                train++;
            }
        }
        sandbox.Write(Path.Combine("data", "qa", "pubmedqa", PubMedQaReader.QuestionsFile), JsonSerializer.Serialize(questions));
        sandbox.Write(Path.Combine("data", "qa", "pubmedqa", PubMedQaReader.TestFile), JsonSerializer.Serialize(test));
        return sandbox.PathOf("data");
    }
}

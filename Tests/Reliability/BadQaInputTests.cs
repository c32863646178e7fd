using System.Text.Json.Nodes;
using MiniBioBert.Tests.Downstream;
using MiniBioBert.Tests.Engine.Gpu;
using MiniBioBert.Training.Commands;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// Bad question-answering data (docs/reliability.md, "Question answering"): <c>finetune qa</c> on a damaged copy of a
/// synthetic BioASQ folder, <c>finetune classify --task pubmedqa</c> on a damaged PubMedQA folder. Each gives exit 1,
/// one <c>error:</c> line naming the file and the question id, before any training (no checkpoint written).
/// </summary>
public class BadQaInputTests
{
    private static IEnumerable<TestCaseData> DamagedBioAsq()
    {
        yield return new TestCaseData(QaDataSet.TrainFile, (Func<string, string>)(text => text[..(text.Length / 2)]),
            new[] { QaDataSet.TrainFile, "not valid JSON", "line 1" }).SetName("{m}(malformed JSON)");
        yield return new TestCaseData(QaDataSet.TrainFile, (Func<string, string>)(text => Edit(text, json => json["data"]![0]!["paragraphs"]![1]!.AsObject().Remove("context"))),
            new[] { QaDataSet.TrainFile, "question 't", "has no context" }).SetName("{m}(question without context)");
        yield return new TestCaseData(QaDataSet.TestFile, (Func<string, string>)(text => Edit(text, json => json["data"]![0]!["paragraphs"]![0]!["context"] = "  ")),
            new[] { QaDataSet.TestFile, "question 'x0_001'", "has no context" }).SetName("{m}(empty context)");
        yield return new TestCaseData(QaDataSet.TrainFile, (Func<string, string>)(text => Edit(text, json => json["data"]![0]!["paragraphs"]![0]!["qas"]![0]!["answers"]![0]!["answer_start"] = 1)),
            new[] { QaDataSet.TrainFile, "question 't", "is not in its context at answer_start 1" }).SetName("{m}(answer not in its context)");
        yield return new TestCaseData(QaDataSet.TrainFile, (Func<string, string>)(text => Edit(text, json => json["data"]![0]!["paragraphs"]![0]!["qas"]![0]!["answers"]![0]!["text"] = "nowhere")),
            new[] { QaDataSet.TrainFile, "the answer 'nowhere' is not in its context" }).SetName("{m}(answer text not in its context)");
        yield return new TestCaseData(QaDataSet.GoldenFile, (Func<string, string>)(text => Edit(text, json => json["questions"]!.AsArray().RemoveAt(1))),
            new[] { QaDataSet.GoldenFile, "question 'x1'", QaDataSet.TestFile, "cannot be scored" }).SetName("{m}(id missing from the golden file)");
        yield return new TestCaseData(QaDataSet.GoldenFile, (Func<string, string>)(text => Edit(text, json => json["questions"]![0]!["exact_answer"] = new JsonArray())),
            new[] { QaDataSet.GoldenFile, "question 'x0'", "exact_answer" }).SetName("{m}(golden question without answer)");
    }

    [TestCaseSource(nameof(DamagedBioAsq))]
    public void FinetuneQaRefusesDamagedData(string file, Func<string, string> damage, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string data = SyntheticBioAsq.Write(sandbox.PathOf("bioasq"), train: 6, devel: 2, test: 3);
        string path = Path.Combine(data, file);
        File.WriteAllText(path, damage(File.ReadAllText(path)));

        var result = Cli.Run(sandbox, "finetune", "qa", "--data", data, "--init", Sandbox.TinyCheckpoint, "--max-seq", "16", "--max-question", "4",
            "--output", sandbox.PathOf("out"));

        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, [path, .. mentions]);
        Assert.That(Directory.Exists(sandbox.PathOf(Path.Combine("out", "checkpoint"))), Is.False, "nothing trained");
    }

    private static IEnumerable<TestCaseData> DamagedPubMedQa()
    {
        yield return new TestCaseData(PubMedQaReader.QuestionsFile, (Func<string, string>)(text => text[..(text.Length - 10)]),
            new[] { "not valid JSON" }).SetName("{m}(malformed JSON)");
        yield return new TestCaseData(PubMedQaReader.QuestionsFile, (Func<string, string>)(text => Edit(text, json => json["2000"]!["CONTEXTS"] = new JsonArray())),
            new[] { "question '2000'", "has no context" }).SetName("{m}(question without context)");
        yield return new TestCaseData(PubMedQaReader.QuestionsFile, (Func<string, string>)(text => Edit(text, json => json["2001"]!["final_decision"] = "perhaps")),
            new[] { "question '2001'", "'perhaps', not yes, no or maybe" }).SetName("{m}(unknown decision)");
        yield return new TestCaseData(PubMedQaReader.TestFile, (Func<string, string>)(text => Edit(text, json => json["999"] = "yes")),
            new[] { "question '999'", "not among the questions" }).SetName("{m}(test id missing from the questions)");
    }

    [TestCaseSource(nameof(DamagedPubMedQa))]
    public void PubMedQaRefusesDamagedData(string file, Func<string, string> damage, string[] mentions)
    {
        using var sandbox = new Sandbox();
        string dataRoot = EveryDeviceQaCommandTests.WritePubMedQa(sandbox);
        string path = Path.Combine(dataRoot, "qa", "pubmedqa", file);
        File.WriteAllText(path, damage(File.ReadAllText(path)));
        using var dataRootOverride = new DataRootOverride(dataRoot);
        var result = Cli.Run(sandbox, "finetune", "classify", "--task", "pubmedqa", "--init", Sandbox.TinyCheckpoint, "--max-seq", "16",
            "--output", sandbox.PathOf("out"));
        Cli.AssertCleanFailure(result, CommandRunner.RuntimeError, [path, .. mentions]);
        Assert.That(Directory.Exists(sandbox.PathOf(Path.Combine("out", "checkpoint"))), Is.False, "nothing trained");
    }

    private static string Edit(string json, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(json)!;
        edit(node);
        return node.ToJsonString();
    }
}

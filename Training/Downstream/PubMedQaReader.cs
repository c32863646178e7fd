using System.Text.Json;
using MiniBioBert.Engine.IO;
using MiniBioBert.Model.Downstream;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// PubMedQA PQA-L (<c>ori_pqal.json</c>: PMID → {QUESTION, CONTEXTS, final_decision, …}) as a sentence-pair task:
/// the question and its abstract without the conclusion (the CONTEXTS joined by spaces) → yes / no / maybe. Split: test
/// = the PMIDs of <c>test_ground_truth.json</c> (whose labels must agree with ori_pqal.json); of the others, devel = the
/// PMIDs whose FNV-1a mod 10 = 0 (≈ 50), train = the rest (≈ 450).
/// </summary>
internal static class PubMedQaReader
{
    public const string QuestionsFile = "ori_pqal.json";
    public const string TestFile = "test_ground_truth.json";

    private static readonly string[] Labels = ["maybe", "no", "yes"];

    /// <exception cref="InvalidDataException">Malformed JSON; a question without text, context or a yes/no/maybe decision; a test id that is not a question or has another label (file and PMID named).</exception>
    public static ClassificationDataSet Load(string directory)
    {
        string questionsPath = Path.Combine(directory, QuestionsFile), testPath = Path.Combine(directory, TestFile);
        var questions = ReadQuestions(questionsPath);
        var test = new List<LabeledSentence>();
        using (var document = JsonInput.Parse(testPath, "PubMedQA test file"))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{testPath}: expected an object PMID → yes / no / maybe.");
            }
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                string where = JsonInput.Where(testPath, entry.Name);
                if (!questions.Remove(entry.Name, out var question))
                {
                    throw new InvalidDataException($"{where}: the PMID is not among the questions of {questionsPath}.");
                }
                if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() != question.Labels[0])
                {
                    throw new InvalidDataException($"{where}: the label {entry.Value.GetRawText()} differs from final_decision \"{question.Labels[0]}\" in {questionsPath}.");
                }
                test.Add(question);
            }
        }
        var devel = questions.Values.Where(q => Fnv1a.Hash(q.Document) % 10 == 0).ToList();
        var train = questions.Values.Where(q => Fnv1a.Hash(q.Document) % 10 != 0).ToList();
        return new ClassificationDataSet(ClassificationDataSet.PubMedQa, FineTuningTask.SingleLabelClassification, Labels, train, devel, test);
    }

    /// <summary>PMID → the question as a labelled sentence pair, in file order.</summary>
    private static Dictionary<string, LabeledSentence> ReadQuestions(string path)
    {
        using var document = JsonInput.Parse(path, "PubMedQA file");
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected an object PMID → question.");
        }
        var questions = new Dictionary<string, LabeledSentence>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            string where = JsonInput.Where(path, entry.Name);
            string question = JsonInput.Text(entry.Value, "QUESTION", where);
            var contexts = JsonInput.Member(entry.Value, "CONTEXTS", JsonValueKind.Array, where).EnumerateArray()
                .Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : "").Where(c => !string.IsNullOrWhiteSpace(c)).ToList();
            if (contexts.Count == 0)
            {
                throw new InvalidDataException($"{where}: the question has no context ('CONTEXTS' holds no text).");
            }
            string decision = JsonInput.Text(entry.Value, "final_decision", where);
            if (!Labels.Contains(decision))
            {
                throw new InvalidDataException($"{where}: final_decision is '{InputText.Quote(decision)}', not yes, no or maybe.");
            }
            questions[entry.Name] = new LabeledSentence(entry.Name, question, [decision], string.Join(' ', contexts));
        }
        return questions;
    }
}

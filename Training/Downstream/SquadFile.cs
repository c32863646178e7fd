using System.Text.Json;
using System.Text.RegularExpressions;
using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// A SQuAD v1.1 JSON file (<c>{"data": [{"paragraphs": [{"context", "qas": [{"id", "question", "answers":
/// [{"text", "answer_start"}]}]}]}]}</c>), as BioBERT's preprocessed BioASQ files are. Every pair is checked before
/// any work: each question has an id, a question and a non-empty context, and each answer is at its
/// <c>answer_start</c> in the context.
/// </summary>
internal static partial class SquadFile
{
    /// <summary>The question–context pairs of <paramref name="path"/>, in file order.</summary>
    /// <param name="answersRequired">Training data: every question must have at least one answer.</param>
    /// <exception cref="InvalidDataException">Malformed JSON, a missing field, a question without context or an answer that is not in its context (file and question id named).</exception>
    public static List<QaPair> Read(string path, bool answersRequired)
    {
        using var document = JsonInput.Parse(path, "SQuAD file");
        var pairs = new List<QaPair>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var article in JsonInput.Member(document.RootElement, "data", JsonValueKind.Array, path).EnumerateArray())
        {
            foreach (var paragraph in JsonInput.Member(article, "paragraphs", JsonValueKind.Array, $"{path}, an article").EnumerateArray())
            {
                var questions = JsonInput.Member(paragraph, "qas", JsonValueKind.Array, $"{path}, a paragraph");
                foreach (var qa in questions.EnumerateArray())
                {
                    string id = JsonInput.Text(qa, "id", $"{path}, a question without id");
                    string where = JsonInput.Where(path, id);
                    if (!ids.Add(id))
                    {
                        throw new InvalidDataException($"{where}: the id occurs twice.");
                    }
                    if (!paragraph.TryGetProperty("context", out var contextElement) || contextElement.ValueKind != JsonValueKind.String
                        || string.IsNullOrWhiteSpace(contextElement.GetString()))
                    {
                        throw new InvalidDataException($"{where}: the question has no context (its paragraph needs a non-empty 'context').");
                    }
                    string context = contextElement.GetString()!;
                    var answers = Answers(qa, context, where);
                    if (answersRequired && answers.Length == 0)
                    {
                        throw new InvalidDataException($"{where}: a training question needs an answer; 'answers' is empty.");
                    }
                    pairs.Add(new QaPair(id, QuestionIdOf(id), JsonInput.Text(qa, "question", where), context, answers));
                }
            }
        }
        if (pairs.Count == 0)
        {
            throw new InvalidDataException($"{path}: the file holds no question.");
        }
        return pairs;
    }

    /// <summary>The question id of a pair id: "56bc751eac7ad10019000013_001" → "56bc751eac7ad10019000013".</summary>
    public static string QuestionIdOf(string pairId) => SnippetSuffix().Replace(pairId, "");

    private static QaAnswer[] Answers(JsonElement qa, string context, string where)
    {
        var answers = new List<QaAnswer>();
        foreach (var answer in JsonInput.Member(qa, "answers", JsonValueKind.Array, where).EnumerateArray())
        {
            string text = JsonInput.Text(answer, "text", where);
            var startElement = JsonInput.Member(answer, "answer_start", JsonValueKind.Number, where);
            if (!startElement.TryGetInt32(out int start) || start < 0 || start + text.Length > context.Length
                || string.CompareOrdinal(context, start, text, 0, text.Length) != 0)
            {
                string found = startElement.TryGetInt32(out int at) && at >= 0 && at < context.Length
                    ? $"the context has '{InputText.Quote(context.Substring(at, Math.Min(text.Length, context.Length - at)))}' there"
                    : $"the context has {context.Length} characters";
                throw new InvalidDataException($"{where}: the answer '{InputText.Quote(text)}' is not in its context at answer_start {startElement.GetRawText()} ({found}).");
            }
            answers.Add(new QaAnswer(text, start));
        }
        return [.. answers];
    }

    [GeneratedRegex("_[0-9]+$")]
    private static partial Regex SnippetSuffix();
}

using System.Text.Json;
using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// The gold answers of BioASQ's official JSON (<c>{"questions": [{"id", "type", "exact_answer", …}]}</c>). A factoid
/// question's <c>exact_answer</c> is a list of answers, each a list of synonyms (or a single string); every synonym
/// counts as the answer.
/// </summary>
internal static class BioAsqGolden
{
    /// <summary>Question id → every gold string, for the factoid questions of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, or a factoid question without id or exact answer (file and id named).</exception>
    public static Dictionary<string, string[]> Read(string path)
    {
        using var document = JsonInput.Parse(path, "BioASQ golden file");
        var gold = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var question in JsonInput.Member(document.RootElement, "questions", JsonValueKind.Array, path).EnumerateArray())
        {
            if (!question.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "factoid")
            {
                continue;
            }
            string id = JsonInput.Text(question, "id", $"{path}, a factoid question without id");
            string where = JsonInput.Where(path, id);
            var synonyms = Strings(JsonInput.Member(question, "exact_answer", JsonValueKind.Array, where)).ToArray();
            if (synonyms.Length == 0 || synonyms.Any(string.IsNullOrWhiteSpace))
            {
                throw new InvalidDataException($"{where}: 'exact_answer' must hold at least one non-empty string (a list of synonym lists).");
            }
            gold[id] = synonyms;
        }
        return gold;
    }

    /// <summary>Checks that every question of <paramref name="pairs"/> has gold answers in <paramref name="gold"/>.</summary>
    /// <exception cref="InvalidDataException">The first question id that is missing, with both files named.</exception>
    public static void RequireEvery(IEnumerable<QaPair> pairs, Dictionary<string, string[]> gold, string pairsPath, string goldPath)
    {
        if (pairs.FirstOrDefault(p => !gold.ContainsKey(p.QuestionId)) is { } missing)
        {
            throw new InvalidDataException(
                $"{goldPath}: question '{InputText.Quote(missing.QuestionId)}' (of {pairsPath}) is not among its {gold.Count} factoid questions; it cannot be scored.");
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [""],
    };
}

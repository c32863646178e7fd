using System.Text.Json;
using MiniBioBert.Engine.IO;

namespace MiniBioBert.Training.Downstream;

/// <summary>
/// Reading the JSON files of the question-answering data sets: a file that does not parse, or a field that is
/// missing or of the wrong kind, is one <see cref="InvalidDataException"/> naming the file and where in it.
/// </summary>
internal static class JsonInput
{
    /// <summary>The parsed file (dispose it); <paramref name="kind"/> names it in the messages ("BioASQ file").</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON (line and column named).</exception>
    public static JsonDocument Parse(string path, string kind)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{kind} '{path}' does not exist.", path);
        }
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} ({e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd()})");
        }
    }

    /// <summary>The member <paramref name="name"/> of <paramref name="element"/>, which must be of <paramref name="kind"/>.</summary>
    /// <param name="where">Where the element is, for the message (file and question id).</param>
    public static JsonElement Member(JsonElement element, string name, JsonValueKind kind, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new InvalidDataException($"{where}: expected '{name}' ({Describe(kind)}), found {(element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var found) ? Describe(found.ValueKind) : "none")}.");
        }
        return value;
    }

    /// <summary>The non-empty string member <paramref name="name"/> of <paramref name="element"/>.</summary>
    public static string Text(JsonElement element, string name, string where)
    {
        string text = Member(element, name, JsonValueKind.String, where).GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidDataException($"{where}: '{name}' is empty.");
        }
        return text;
    }

    /// <summary>"file, question 'id'" for messages.</summary>
    public static string Where(string path, string id) => $"{path}, question '{InputText.Quote(id)}'";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

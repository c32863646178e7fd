using System.Text;
using MiniBioBert.Engine.IO;

namespace MiniBioBert.Model.Tokenization;

/// <summary>
/// A WordPiece vocabulary: token ↔ id, where the id of a token is its line index in vocab.txt
/// (UTF-8, one token per line, first line = id 0). Continuation pieces start with "##".
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The padding token.</summary>
    public const string PadToken = "[PAD]";

    /// <summary>The token that replaces a word the vocabulary cannot spell.</summary>
    public const string UnkToken = "[UNK]";

    /// <summary>The first token of every sequence.</summary>
    public const string ClsToken = "[CLS]";

    /// <summary>The separator after each segment.</summary>
    public const string SepToken = "[SEP]";

    /// <summary>The token that hides a word for masked-language-model training.</summary>
    public const string MaskToken = "[MASK]";

    /// <summary>The prefix of a piece that continues a word.</summary>
    public const string ContinuationPrefix = "##";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    private Vocabulary(string[] tokens, Dictionary<string, int> ids)
    {
        _tokens = tokens;
        _ids = ids;
        _spanIds = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        PadId = ids[PadToken];
        UnkId = ids[UnkToken];
        ClsId = ids[ClsToken];
        SepId = ids[SepToken];
        MaskId = ids[MaskToken];
        MaxTokenLength = tokens.Max(t => t.Length);
    }

    /// <summary>Number of tokens.</summary>
    public int Count => _tokens.Length;

    /// <summary>Id of [PAD].</summary>
    public int PadId { get; }

    /// <summary>Id of [UNK].</summary>
    public int UnkId { get; }

    /// <summary>Id of [CLS].</summary>
    public int ClsId { get; }

    /// <summary>Id of [SEP].</summary>
    public int SepId { get; }

    /// <summary>Id of [MASK].</summary>
    public int MaskId { get; }

    /// <summary>The tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Length in UTF-16 units of the longest token ("##" included): no longer candidate can match.</summary>
    internal int MaxTokenLength { get; }

    /// <summary>
    /// Reads a vocab.txt file as strict UTF-8 (<see cref="Utf8LineReader"/>): LF or CRLF line ends, one final line
    /// end and a leading byte order mark are accepted.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not UTF-8 text, is empty, has an empty line or a duplicate token, or lacks a special token; the message names the file and line.</exception>
    public static Vocabulary Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Vocabulary file '{path}' does not exist.", path);
        }

        var lines = Utf8LineReader.ReadLines(path, kind: "Vocabulary file").ToList();
        return Build(lines, $"vocabulary file '{path}'", "line");
    }

    /// <summary>A vocabulary whose ids are the positions in <paramref name="tokens"/>; validated like <see cref="Load"/>.</summary>
    /// <exception cref="InvalidDataException">A token is empty, contains a line break or is repeated, or a special token is missing.</exception>
    public static Vocabulary FromTokens(IEnumerable<string> tokens) => Build([.. tokens], "token list", "entry");

    /// <summary>Writes vocab.txt (UTF-8 without byte order mark, LF after every token) atomically.</summary>
    public void Save(string path)
    {
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temporaryPath = fullPath + ".tmp";
        using (var writer = new StreamWriter(temporaryPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            writer.NewLine = "\n";
            foreach (string token in _tokens)
            {
                writer.WriteLine(token);
            }
        }

        File.Move(temporaryPath, fullPath, overwrite: true);
    }

    /// <summary>Looks up the id of <paramref name="token"/>.</summary>
    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>Looks up the id of <paramref name="token"/> without allocating a string.</summary>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _spanIds.TryGetValue(token, out id);

    /// <summary>The token with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string GetToken(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, _tokens.Length);
        return _tokens[id];
    }

    private static Vocabulary Build(List<string> tokens, string source, string unit)
    {
        if (tokens.Count == 0)
        {
            throw new InvalidDataException($"The {source} is empty: it must hold one token per {unit}.");
        }

        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
        {
            string token = tokens[id];
            if (token.Length == 0)
            {
                throw new InvalidDataException($"The {source} has an empty token at {unit} {id + 1}.");
            }

            if (token.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new InvalidDataException($"The {source} has a token with a line break at {unit} {id + 1}.");
            }

            if (!ids.TryAdd(token, id))
            {
                throw new InvalidDataException(
                    $"The {source} has the token '{InputText.Quote(token)}' twice: at {unit} {ids[token] + 1} and at {unit} {id + 1}.");
            }
        }

        foreach (string special in BasicTokenizer.SpecialTokens)
        {
            if (!ids.ContainsKey(special))
            {
                throw new InvalidDataException($"The {source} lacks the special token {special} (checked all {tokens.Count} {unit}s).");
            }
        }

        return new Vocabulary([.. tokens], ids);
    }
}

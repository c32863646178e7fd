using System.CommandLine;
using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Commands;

/// <summary><c>inspect tokens --text "…" [--vocab FILE]</c>: shows the WordPiece split of a text with the token ids.</summary>
internal static class InspectCommand
{
    /// <summary>The <c>inspect</c> command group.</summary>
    public static Command Create()
    {
        var text = new Option<string>("--text") { Description = "The text to tokenize.", Required = true };
        var vocab = new Option<string?>("--vocab")
        {
            Description = $"vocab.txt path or '{CorpusArguments.BertBaseUncased}' (default: the cached trained vocabulary corpus/cache/vocab-30522.txt when present, else {CorpusArguments.BertBaseUncased}).",
        };
        var tokens = new Command("tokens", "Print the WordPiece tokens and ids of a text.") { text, vocab };
        CommandRunner.SetAction(tokens, (p, output) =>
        {
            string path = VocabularyPath(p.GetValue(vocab));
            var tokenizer = new WordPieceTokenizer(Vocabulary.Load(path));
            var pieces = tokenizer.Tokenize(p.GetValue(text)!);
            output.WriteLine($"Vocabulary: {path}");
            output.WriteLine($"{"#",4}  {"id",8}  token");
            for (int i = 0; i < pieces.Count; i++)
            {
                int id = tokenizer.Vocabulary.TryGetId(pieces[i], out int found) ? found : tokenizer.Vocabulary.UnkId;
                output.WriteLine($"{i,4}  {id,8}  {pieces[i]}");
            }
            output.WriteLine($"{pieces.Count} tokens");
            return CommandRunner.Success;
        });
        var inspect = new Command("inspect", "Look inside the pipeline and the model.") { tokens };
        foreach (var subcommand in InspectModelCommands.CreateSubcommands())
        {
            inspect.Add(subcommand);
        }
        return inspect;
    }

    private static string VocabularyPath(string? given)
    {
        if (given == CorpusArguments.BertBaseUncased)
        {
            return DataPaths.Vocabulary;
        }
        if (given is not null)
        {
            return File.Exists(given) ? given : throw new FileNotFoundException($"Vocabulary file '{given}' does not exist.", given);
        }
        string trained = Path.Combine(DataPaths.CacheDirectory, "vocab-30522.txt");
        return File.Exists(trained) ? trained : DataPaths.Vocabulary;
    }
}

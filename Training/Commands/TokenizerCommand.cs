using System.CommandLine;
using MiniBioBert.Training.Pretraining;

namespace MiniBioBert.Training.Commands;

/// <summary><c>tokenizer train --corpus … --vocab-size N --output vocab.txt</c>: learns a WordPiece vocabulary.</summary>
internal static class TokenizerCommand
{
    /// <summary>The <c>tokenizer</c> command group.</summary>
    public static Command Create()
    {
        var data = new CorpusArguments();
        var size = new Option<int>("--vocab-size") { Description = "Tokens in the vocabulary (specials and alphabet included).", DefaultValueFactory = _ => 30522 };
        var output = new Option<string>("--output") { Description = "Vocabulary file to write (one token per line).", Required = true };
        var train = new Command("train", "Learn a WordPiece vocabulary from a corpus.") { size, output };
        data.AddTo(train, includeVocab: false);
        CommandRunner.SetAction(train, (p, writer) =>
        {
            string path = p.GetValue(output)!;
            OutputDirectoryCheck.EnsureFileCanBeWritten("--output", path);
            var corpus = data.CorpusFiles(p);
            var vocabulary = CorpusArguments.TrainVocabulary(corpus, p.GetValue(size));
            vocabulary.Save(path);
            writer.WriteLine($"Wrote {vocabulary.Count:N0} tokens to {Path.GetFullPath(path)}");
            return CommandRunner.Success;
        });
        return new Command("tokenizer", "Vocabulary tools.") { train };
    }
}

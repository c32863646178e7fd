using System.Text;
using MiniBioBert.Training.Reporting;

namespace MiniBioBert.Tests.Reliability;

/// <summary>
/// A temp folder that looks like a repository root (it holds an empty <c>MiniBioBert.sln</c>), so that commands run
/// in it put their token cache in its own <c>corpus/cache</c>, never in the real repository. Deleted on dispose.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    public Sandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), $"minibiobert-reliability-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "MiniBioBert.sln"), "");
    }

    public string Root { get; }

    /// <summary>A path inside the sandbox.</summary>
    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    /// <summary>The 40-token vocabulary of the tiny fixture checkpoint.</summary>
    public static string TinyVocabulary => TestData.FixturePath("tiny_bert", "vocab.txt");

    /// <summary>The tiny fixture checkpoint directory (hidden 16, 2 layers, vocab 40, 20 positions).</summary>
    public static string TinyCheckpoint => TestData.FixturePath("tiny_bert");

    /// <summary>A copy of the tiny checkpoint at <paramref name="name"/>, to be damaged by a test.</summary>
    public string CopyTinyCheckpoint(string name = "checkpoint")
    {
        string target = PathOf(name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(TinyCheckpoint))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return target;
    }

    /// <summary>
    /// A seeded sentence-per-line corpus of <paramref name="documents"/> documents whose words are in the tiny
    /// vocabulary, so that masking and next-sentence pairs have real tokens to work on.
    /// </summary>
    public string WriteTinyCorpus(string name = "corpus.txt", int documents = 150, int seed = 7)
    {
        string[] words = ["the", "cell", "cells", "gene", "protein", "tumor", "dna", "rna", "virus", "blood", "drug", "dose",
            "patient", "study", "binds", "expressed", "receptor", "kinase", "of", "and", "in", "to", "a", "is"];
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int d = 0; d < documents; d++)
        {
            for (int s = random.Next(3, 7); s > 0; s--)
            {
                text.AppendJoin(' ', Enumerable.Range(0, random.Next(4, 10)).Select(_ => words[random.Next(words.Length)])).Append(" .\n");
            }
            text.Append('\n');
        }
        return Write(name, text.ToString());
    }

    /// <summary>A tiny IOB folder (train.tsv, devel.tsv, test.tsv: 4, 2 and 2 sentences) whose words are in the tiny vocabulary.</summary>
    public string WriteTinyNerData(string name = "ner")
    {
        const string Sentences = "the\tO\ngene\tB-Gene\nbinds\tO\ndna\tO\n\nprotein\tB-Gene\nof\tO\nthe\tO\ncell\tO\n\n";
        Write(Path.Combine(name, "train.tsv"), Sentences + Sentences);
        Write(Path.Combine(name, "devel.tsv"), Sentences);
        Write(Path.Combine(name, "test.tsv"), Sentences);
        return PathOf(name);
    }

    /// <summary>Every file and folder in the sandbox, relative to it, sorted (to show that a refused command wrote nothing).</summary>
    public string[] Entries() =>
        [.. Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(Root, e)).Order(StringComparer.Ordinal)];

    /// <summary>The metrics.jsonl train losses of <paramref name="runDirectory"/>, by step.</summary>
    public static SortedDictionary<long, double> TrainLosses(string runDirectory) =>
        new(MetricsLog.Read(MetricsLog.PathFor(runDirectory)).Records
            .Where(r => r.Split == MetricsSplit.Train)
            .ToDictionary(r => r.Step, r => r.Loss!.Value));

    /// <summary>The arguments of a tiny, fast <c>train</c> run (1 layer, hidden 16, sequences of 16, 2 sequences a batch).</summary>
    public static string[] TinyTrainArguments(string corpus, string output, long steps) =>
    [
        "train", "--corpus", corpus, "--vocab", TinyVocabulary, "--output", output, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--layers", "1", "--hidden", "16", "--heads", "2", "--intermediate", "32", "--max-seq", "16", "--batch", "2",
        "--eval-every", "1000", "--eval-batches", "1", "--threads", "1", "--warmup", "0",
    ];

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

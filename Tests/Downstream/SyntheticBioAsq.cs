using System.Text.Json;
using MiniBioBert.Training.Data;
using MiniBioBert.Training.Downstream;

namespace MiniBioBert.Tests.Downstream;

/// <summary>
/// A BioASQ folder in BioBERT's SQuAD format over the tiny fixture vocabulary: "which gene ?" asked of snippets of
/// filler words that name one gene word (the answer). Train questions are split into train and devel as
/// <see cref="QaDataSet"/> does (FNV-1a of the id); test answers are in the golden file, with a synonym.
/// </summary>
internal static class SyntheticBioAsq
{
    private static readonly string[] Genes = ["gene", "protein", "kinase", "receptor"];
    private static readonly string[] Fillers = ["the", "patient", "cells", "of", "and", "in", "is", "tumor", "dose", "study", "blood"];

    /// <summary>Writes the three files into <paramref name="directory"/>; <paramref name="train"/> and <paramref name="devel"/> questions come from the training file.</summary>
    public static string Write(string directory, int train, int devel, int test, int seed = 1)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        var trainIds = new List<string>();
        int trainCount = 0, develCount = 0;
        for (int n = 0; trainCount < train || develCount < devel; n++)
        {
            string id = $"t{n}";
            bool isDevel = Fnv1a.Hash(id) % 10 == 0;
            if (isDevel ? develCount < devel : trainCount < train)
            {
                trainIds.Add(id);
                (trainCount, develCount) = isDevel ? (trainCount, develCount + 1) : (trainCount + 1, develCount);
            }
        }
        string[] testIds = [.. Enumerable.Range(0, test).Select(n => $"x{n}")];
        File.WriteAllText(Path.Combine(directory, QaDataSet.TrainFile), Squad(trainIds, random, withAnswers: true, out _));
        File.WriteAllText(Path.Combine(directory, QaDataSet.TestFile), Squad(testIds, random, withAnswers: false, out var testAnswers));
        var golden = new
        {
            questions = testIds.Select(id => new { id, type = "factoid", body = "which gene ?", exact_answer = new[] { new[] { testAnswers[id], testAnswers[id].ToUpperInvariant() } } })
                .Append(new { id = "y0", type = "yesno", body = "is it ?", exact_answer = new[] { new[] { "yes" } } }),
        };
        File.WriteAllText(Path.Combine(directory, QaDataSet.GoldenFile), JsonSerializer.Serialize(golden));
        return directory;
    }

    /// <summary>One or two snippets per question, each naming the question's gene once among 4 to 6 filler words.</summary>
    private static string Squad(IEnumerable<string> ids, Random random, bool withAnswers, out Dictionary<string, string> answers)
    {
        answers = [];
        var paragraphs = new List<object>();
        foreach (string id in ids)
        {
            string gene = Genes[random.Next(Genes.Length)];
            answers[id] = gene;
            for (int snippet = 1; snippet <= 1 + random.Next(2); snippet++)
            {
                var words = Enumerable.Range(0, 4 + random.Next(3)).Select(_ => Fillers[random.Next(Fillers.Length)]).ToList();
                int at = random.Next(words.Count + 1);
                words.Insert(at, gene);
                string context = string.Join(' ', words) + " .";
                int start = string.Join(' ', words.Take(at)).Length + (at == 0 ? 0 : 1);
                var answerList = withAnswers ? new[] { new { text = gene, answer_start = start } } : [];
                paragraphs.Add(new { qas = new[] { new { id = $"{id}_{snippet:D3}", question = "which gene ?", answers = answerList } }, context });
            }
        }
        return JsonSerializer.Serialize(new { version = "synthetic", data = new[] { new { title = "synthetic", paragraphs } } });
    }
}

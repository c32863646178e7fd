using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Pretraining;

/// <summary>Opens the data of a run: its corpus tokenized with its vocabulary, split and batched as its options say.</summary>
internal static class PretrainingData
{
    /// <summary>
    /// The dataset for <paramref name="options"/> (corpus, sequence length, global batch size, seed) with the WordPiece
    /// vocabulary at <paramref name="vocabPath"/>; tokenized corpora are cached in <paramref name="cacheDirectory"/>
    /// (null: no cache). The same options always give the same held-out documents.
    /// </summary>
    public static PretrainingDataset Open(PretrainingOptions options, string vocabPath, string? cacheDirectory, Action<string>? log)
    {
        var tokenizer = new WordPieceTokenizer(Vocabulary.Load(vocabPath));
        var dataOptions = new PretrainingDataOptions { MaxSequenceLength = options.MaxSequenceLength, Seed = (ulong)options.Seed };
        var sources = options.Corpus.Select(path => new CorpusSource(path)).ToList();
        return PretrainingDataset.Open(sources, CorpusTokenizer.FromWordPiece(tokenizer), dataOptions, options.GlobalBatchSize, cacheDirectory, options.HeldOutFraction, log);
    }
}

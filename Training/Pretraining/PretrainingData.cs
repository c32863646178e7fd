using MiniBioBert.Model.Tokenization;
using MiniBioBert.Training.Data;

namespace MiniBioBert.Training.Pretraining;

/// <summary>Opens the data of a run: its corpus tokenized with its vocabulary, split and batched as its options say.</summary>
internal static class PretrainingData
{
    /// <summary>
    /// The dataset for <paramref name="options"/> (corpus, sequence length, global batch size, seed) with the WordPiece
    /// vocabulary at <paramref name="vocabPath"/>; tokenized corpora are cached in <paramref name="cacheDirectory"/>
    /// (null: no cache). The same options always give the same held-out documents. Training batches mask as the run
    /// says; the held-out batches mask <paramref name="evaluationMasking"/> (pieces by default, whatever the run trains on,
    /// so that accuracies compare across runs) at BERT's rate of 0.15, whatever <c>--mask-rate</c> the run trains with.
    /// </summary>
    public static PretrainingDataset Open(PretrainingOptions options, string vocabPath, string? cacheDirectory, Action<string>? log,
        MaskingUnit evaluationMasking = MaskingUnit.Piece)
    {
        var tokenizer = new WordPieceTokenizer(Vocabulary.Load(vocabPath));
        var dataOptions = new PretrainingDataOptions { MaxSequenceLength = options.MaxSequenceLength, Seed = (ulong)options.Seed, Masking = options.Masking }
            .WithMaskRate(options.MaskRate);
        var sources = options.Corpus.Select(path => new CorpusSource(path)).ToList();
        return PretrainingDataset.Open(sources, CorpusTokenizer.FromWordPiece(tokenizer), dataOptions, options.GlobalBatchSize, cacheDirectory,
            options.HeldOutFraction, log, evaluationMasking);
    }
}

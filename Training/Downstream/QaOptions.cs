namespace MiniBioBert.Training.Downstream;

/// <summary>How question answering packs its inputs and decodes its answers (BERT's SQuAD settings, scaled to 128 positions).</summary>
internal sealed record QaOptions
{
    /// <summary>The most pieces of a question; longer ones are cut (BERT: 64 of 384 positions).</summary>
    public int MaxQuestionLength { get; init; } = 48;

    /// <summary>Pieces between the starts of two windows over a long context (BERT: 128 of 384).</summary>
    public int DocStride { get; init; } = 48;

    /// <summary>The most pieces of an answer (BERT and BioBERT: 30).</summary>
    public int MaxAnswerLength { get; init; } = 30;

    /// <summary>Start and end candidates per window, and answers kept per pair (BERT: 20).</summary>
    public int NBest { get; init; } = 20;

    /// <summary>Answers per question that BioASQ scores (lenient accuracy and MRR: 5).</summary>
    public int Answers { get; init; } = 5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible value.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { ("--max-question", MaxQuestionLength), ("--doc-stride", DocStride), ("--max-answer", MaxAnswerLength), ("--n-best", NBest), ("--answers", Answers) })
        {
            if (value < 1)
            {
                throw new ArgumentException($"{name} must be at least 1, not {value}.");
            }
        }
    }
}

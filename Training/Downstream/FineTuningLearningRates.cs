namespace MiniBioBert.Training.Downstream;

/// <summary>
/// The default peak learning rate of each fine-tuning task: the best one measured for this model size (4 layers,
/// hidden 256; docs/downstream.md, "The fine-tuning learning rate" and "Sentence classification"), not Hugging Face's
/// 5e-5, which suits BERT-base and leaves a model this small near its random-init score after 3 epochs.
/// </summary>
internal static class FineTuningLearningRates
{
    /// <summary>BC5CDR NER: 1e-3 gave +6.4 test F1 over 2e-4 for the pretrained encoder (3 epochs).</summary>
    public const double Ner = 1e-3;

    /// <summary>NICTA-PIBOSO: 1e-3 (the pretrained encoder finds all six roles).</summary>
    public const double Piboso = 1e-3;

    /// <summary>Hallmarks of Cancer: 2e-4 (at 1e-3 the sigmoid outputs settle on "no label" in both arms).</summary>
    public const double Hoc = 2e-4;

    /// <summary>BioASQ factoid QA: 1e-3 (devel MRR 24.07 against 20.83 at 2e-4, random init, 2 epochs).</summary>
    public const double Qa = 1e-3;

    /// <summary>PubMedQA: 2e-4, HoC's (not swept: at 3 epochs every run so far answers the majority label).</summary>
    public const double PubMedQa = 2e-4;

    /// <summary>The default of <paramref name="task"/> (a <see cref="ClassificationDataSet"/> task name, "ner" or "qa").</summary>
    public static double For(string task) => task switch
    {
        ClassificationDataSet.Piboso => Piboso,
        ClassificationDataSet.Hoc => Hoc,
        ClassificationDataSet.PubMedQa => PubMedQa,
        "ner" => Ner,
        "qa" => Qa,
        _ => throw new ArgumentException($"No default learning rate for the task '{task}'.", nameof(task)),
    };
}

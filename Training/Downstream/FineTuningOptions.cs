using MiniBioBert.Engine;

namespace MiniBioBert.Training.Downstream;

/// <summary>Hyperparameters of one fine-tuning run (defaults: BERT's fine-tuning recipe, sized for a CPU).</summary>
internal sealed record FineTuningOptions
{
    /// <summary>Passes over the training set (the most; early stopping may end sooner).</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Sequences (NER windows or sentences) per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate of the warmup + linear-decay schedule (the commands default per task: <see cref="FineTuningLearningRates"/>).</summary>
    public double LearningRate { get; init; } = FineTuningLearningRates.Ner;

    /// <summary>Fraction of all steps spent warming up.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>AdamW decoupled weight decay for weight matrices and embeddings.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global gradient-norm clipping threshold.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Tokens per sequence including [CLS] and [SEP].</summary>
    public int MaxSequenceLength { get; init; } = 128;

    /// <summary>Seeds the head's initialisation, the shuffling and dropout (and random encoder weights).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Added to <see cref="Seed"/> for the weights of a random encoder only (head, shuffling and dropout keep
    /// <see cref="Seed"/>): lets a comparison contrast two random initialisations under otherwise identical runs.
    /// </summary>
    public int EncoderSeedOffset { get; init; }

    /// <summary>Stop after this many epochs without a better devel score.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Use only the first N training examples (null = all): for quick runs.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Use only the first N devel and test examples (null = all): for quick runs.</summary>
    public int? EvalLimit { get; init; }

    /// <summary>
    /// Where the model trains and predicts (<see cref="Device.Cpu"/> by default). The caller opens the device and
    /// disposes it after the run; the run moves its model there.
    /// </summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible value.</summary>
    public void Validate()
    {
        Require(Epochs >= 1, $"epochs must be at least 1, not {Epochs}.");
        Require(BatchSize >= 1, $"batch must be at least 1, not {BatchSize}.");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), $"lr must be positive, not {LearningRate}.");
        Require(WarmupFraction is >= 0 and <= 1, $"the warmup fraction must be in [0, 1], not {WarmupFraction}.");
        Require(MaxSequenceLength >= 3, $"max-seq must be at least 3, not {MaxSequenceLength}.");
        Require(Patience >= 1, $"patience must be at least 1, not {Patience}.");
        Require(TrainLimit is null or >= 1, $"the train limit must be at least 1, not {TrainLimit}.");
        Require(EvalLimit is null or >= 1, $"the evaluation limit must be at least 1, not {EvalLimit}.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

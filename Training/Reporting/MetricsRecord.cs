using System.Text.Json.Serialization;

namespace MiniBioBert.Training.Reporting;

/// <summary>Values of <see cref="MetricsRecord.Split"/>.</summary>
internal static class MetricsSplit
{
    /// <summary>Measured on training batches (typically averaged since the previous train record).</summary>
    public const string Train = "train";

    /// <summary>Measured on the held-out evaluation set.</summary>
    public const string Eval = "eval";

    /// <summary>A rollback to the checkpoint of <see cref="MetricsRecord.Step"/> after step <see cref="MetricsRecord.FailedStep"/> went non-finite.</summary>
    public const string Rollback = "rollback";
}

/// <summary>
/// One line of <c>metrics.jsonl</c>: the measurements at one optimizer step for one split.
/// Every field but <see cref="Step"/> and <see cref="Split"/> is optional and left out of the JSON when null.
/// </summary>
internal sealed record MetricsRecord
{
    /// <summary>Optimizer updates completed when the values were measured.</summary>
    [JsonPropertyName("step")]
    public required long Step { get; init; }

    /// <summary><see cref="MetricsSplit.Train"/>, <see cref="MetricsSplit.Eval"/> or <see cref="MetricsSplit.Rollback"/>.</summary>
    [JsonPropertyName("split")]
    public required string Split { get; init; }

    /// <summary>Passes over the training data so far, fractional.</summary>
    [JsonPropertyName("epoch")]
    public double? Epoch { get; init; }

    /// <summary>Total loss (MLM + NSP).</summary>
    [JsonPropertyName("loss")]
    public double? Loss { get; init; }

    /// <summary>Masked-language-model cross-entropy, mean over masked positions.</summary>
    [JsonPropertyName("mlm_loss")]
    public double? MlmLoss { get; init; }

    /// <summary>Next-sentence-prediction cross-entropy, mean over pairs.</summary>
    [JsonPropertyName("nsp_loss")]
    public double? NspLoss { get; init; }

    /// <summary>Fraction of masked positions whose top prediction is the original token.</summary>
    [JsonPropertyName("mlm_accuracy")]
    public double? MlmAccuracy { get; init; }

    /// <summary>Evaluation only: MLM accuracy at the masked positions whose input was [MASK] (prediction from context).</summary>
    [JsonPropertyName("mlm_accuracy_at_mask")]
    public double? MlmAccuracyAtMask { get; init; }

    /// <summary>Evaluation only: MLM accuracy at the masked positions whose input was a random token.</summary>
    [JsonPropertyName("mlm_accuracy_at_random")]
    public double? MlmAccuracyAtRandom { get; init; }

    /// <summary>Evaluation only: MLM accuracy at the masked positions whose input was the original token.</summary>
    [JsonPropertyName("mlm_accuracy_at_kept")]
    public double? MlmAccuracyAtKept { get; init; }

    /// <summary>Fraction of sentence pairs classified correctly.</summary>
    [JsonPropertyName("nsp_accuracy")]
    public double? NspAccuracy { get; init; }

    /// <summary>Evaluation only: the NSP accuracy of always answering the more common label of the evaluated pairs.</summary>
    [JsonPropertyName("nsp_majority_baseline")]
    public double? NspMajorityBaseline { get; init; }

    /// <summary>exp(MLM loss).</summary>
    [JsonPropertyName("mlm_perplexity")]
    public double? MlmPerplexity { get; init; }

    /// <summary>Learning rate of the last update.</summary>
    [JsonPropertyName("lr")]
    public double? LearningRate { get; init; }

    /// <summary>Global gradient L2 norm before clipping.</summary>
    [JsonPropertyName("grad_norm")]
    public double? GradNorm { get; init; }

    /// <summary>Training throughput, tokens per second.</summary>
    [JsonPropertyName("tokens_per_s")]
    public double? TokensPerSecond { get; init; }

    /// <summary>Wall-clock seconds since the run started (continuing across resumes).</summary>
    [JsonPropertyName("elapsed_s")]
    public double? ElapsedSeconds { get; init; }

    /// <summary>For a rollback line: the step whose loss or gradient was not finite (<see cref="Step"/> is the step restored).</summary>
    [JsonPropertyName("failed_step")]
    public long? FailedStep { get; init; }

    /// <summary>For a rollback line: the first non-finite tensor (a parameter name), or "loss".</summary>
    [JsonPropertyName("tensor")]
    public string? Tensor { get; init; }
}

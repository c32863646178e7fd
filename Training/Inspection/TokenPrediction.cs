using System.Text.Json.Serialization;

namespace MiniBioBert.Training.Inspection;

/// <summary>
/// One candidate for a [MASK]: the token, its probability under the MLM head, and the input text with this mask
/// filled in. JSON names follow Hugging Face's fill-mask pipeline.
/// </summary>
internal sealed record TokenPrediction(
    [property: JsonPropertyName("token")] int TokenId,
    [property: JsonPropertyName("token_str")] string Token,
    [property: JsonPropertyName("score")] double Probability,
    [property: JsonPropertyName("sequence")] string Sequence);

/// <summary>The top candidates for the [MASK] at <see cref="Position"/> (index in [CLS] … [SEP]), most probable first.</summary>
internal sealed record MaskPrediction(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("predictions")] IReadOnlyList<TokenPrediction> Candidates);

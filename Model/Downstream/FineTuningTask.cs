namespace MiniBioBert.Model.Downstream;

/// <summary>What a fine-tuned model predicts, which decides the head's input and the loss.</summary>
public enum FineTuningTask
{
    /// <summary>One label per token from the encoder output (NER); softmax cross-entropy, −100 = ignored.</summary>
    TokenClassification,

    /// <summary>One label per sequence from the pooled [CLS]; softmax cross-entropy.</summary>
    SingleLabelClassification,

    /// <summary>Any subset of the labels per sequence from the pooled [CLS]; sigmoid + binary cross-entropy per label.</summary>
    MultiLabelClassification,
}

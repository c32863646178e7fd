using MiniBioBert.Model;

namespace MiniBioBert.Tests.Model;

/// <summary>The tiny BERT checkpoint and batch written by Tests/Reference/bert_reference.py.</summary>
internal static class TinyBertFixture
{
    public static string CheckpointDirectory => TestData.FixturePath("tiny_bert");

    public static BertForPreTraining LoadModel() => BertForPreTraining.Load(CheckpointDirectory);

    public static PretrainingInputs LoadBatch()
    {
        using var file = TestData.OpenFixture("tiny_bert_batch.safetensors");
        var shape = file.Entry("input_ids").ShapeArray();
        return new PretrainingInputs(shape[0], shape[1],
            file.ReadInt32s("input_ids"), file.ReadInt32s("token_type_ids"), file.ReadInt32s("attention_mask"),
            file.ReadInt32s("mlm_labels"), file.ReadInt32s("nsp_labels"));
    }
}

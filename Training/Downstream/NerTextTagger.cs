using MiniBioBert.Model.Downstream;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Training.Downstream;

/// <summary>NER on free text: words from the <see cref="BasicTokenizer"/> (case kept), tags from <see cref="NerPredictor"/>.</summary>
internal static class NerTextTagger
{
    /// <summary>The entities in <paramref name="text"/>: type and the words of the span joined by spaces.</summary>
    public static List<(string Type, string Text)> Entities(BertForFineTuning model, NerEncoder encoder, string text) =>
        Entities(sentences => NerPredictor.Predict(model, encoder, sentences), text);

    /// <summary>The same with any tagger of sentences (the engine's above, or an exported model in ONNX Runtime).</summary>
    public static List<(string Type, string Text)> Entities(Func<IReadOnlyList<TaggedSentence>, string[][]> predict, string text)
    {
        var words = new BasicTokenizer(lowerCase: false).Tokenize(text).ToArray();
        if (words.Length == 0)
        {
            return [];
        }
        var sentence = new TaggedSentence(words, [.. words.Select(_ => IobTag.Outside)]);
        var tags = predict([sentence])[0];
        return [.. ConllChunker.Chunks(tags).Select(span => (span.Type, string.Join(' ', words[span.Start..span.End])))];
    }
}

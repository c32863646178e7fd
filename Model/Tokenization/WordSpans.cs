using System.Text;

namespace MiniBioBert.Model.Tokenization;

/// <summary>A word of a text as a range of its characters: <c>text[Start..End]</c>.</summary>
public readonly record struct WordSpan(int Start, int End);

/// <summary>
/// The words of a text where BERT's basic tokenizer cuts it (whitespace ends a word; every punctuation character and
/// every CJK ideograph is a word of its own), as character ranges of the original text. Tokenizing each word with
/// <see cref="WordPieceTokenizer.EncodeIds"/> gives the same pieces as tokenizing the whole text, and every piece can
/// be traced back to the characters it came from: what extractive question answering needs to print its answer
/// exactly as the context wrote it.
/// </summary>
public static class WordSpans
{
    public static List<WordSpan> Split(string text)
    {
        var words = new List<WordSpan>();
        int wordStart = -1;
        int index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            int width = rune.Utf16SequenceLength;
            bool alone = BertCharacterClasses.IsPunctuation(rune) || BertCharacterClasses.IsChineseCharacter(rune.Value);
            if (BertCharacterClasses.IsWordSeparator(rune) || alone)
            {
                if (wordStart >= 0)
                {
                    words.Add(new WordSpan(wordStart, index));
                    wordStart = -1;
                }
                if (alone)
                {
                    words.Add(new WordSpan(index, index + width));
                }
            }
            else if (wordStart < 0)
            {
                wordStart = index;
            }
            index += width;
        }
        if (wordStart >= 0)
        {
            words.Add(new WordSpan(wordStart, index));
        }
        return words;
    }
}

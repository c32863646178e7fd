using System.Text;
using MiniBioBert.Model.Tokenization;

namespace MiniBioBert.Tests.Model.Tokenization;

public class TokenizerPropertyTests
{
    private static readonly string[] Words = ["the", "cell", "cells", "unaffable", "gene", "il", "dna", "protein", "binds"];

    private static readonly WordPieceTokenizer Tokenizer = new(TokenizerTestData.SmallVocabulary(
        "the", "cell", "##s", "un", "##aff", "##able", "gene", "il", "dna", "pro", "##tein", "bind", "a", "##a", "-", ".", "😀"));

    /// <summary>Random UTF-16 text: ASCII, BMP characters, astral characters, lone surrogates, controls, specials.</summary>
    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        int length = random.Next(0, 60);
        for (int i = 0; i < length; i++)
        {
            switch (random.Next(7))
            {
                case 0: text.Append((char)random.Next(32, 127)); break;
                case 1: text.Append((char)random.Next(0, 32)); break;
                case 2: text.Append((char)random.Next(0x80, 0xD800)); break;
                case 3: text.Append((char)random.Next(0xD800, 0xE000)); break;
                case 4: text.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000))); break;
                case 5: text.Append(random.Next(2) == 0 ? "[MASK]" : "\u0301"); break;
                default: text.Append((char)random.Next(0xE000, 0x10000)); break;
            }
        }

        return text.ToString();
    }

    [Test]
    public void NeverThrowsOnRandomText()
    {
        var random = new Random(1234);
        for (int i = 0; i < 3000; i++)
        {
            string text = RandomText(random);
            Assert.DoesNotThrow(() =>
            {
                var encoded = Tokenizer.Encode(text, RandomText(random), maxLength: 32);
                Tokenizer.Decode(encoded.InputIds, skipSpecialTokens: false);
                Tokenizer.Tokenize(text);
            }, $"input #{i}");
        }
    }

    [Test]
    public void DecodeOfEncodeReproducesLowerCasedCoveredWords()
    {
        var random = new Random(99);
        for (int i = 0; i < 2000; i++)
        {
            var words = Enumerable.Range(0, random.Next(1, 12)).Select(_ => Words[random.Next(Words.Length)]).ToArray();
            string text = string.Join(" ", words.Select(w => random.Next(2) == 0 ? w.ToUpperInvariant() : w));
            Assert.That(Tokenizer.Decode(Tokenizer.EncodeIds(text)), Is.EqualTo(string.Join(" ", words)), text);
        }
    }
}

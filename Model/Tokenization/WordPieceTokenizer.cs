namespace MiniBioBert.Model.Tokenization;

/// <summary>Hugging Face BertTokenizer-compatible tokenizer. PLACEHOLDER: implemented by the tokenizer work.</summary>
public sealed class WordPieceTokenizer(Vocabulary vocabulary, bool lowerCase = true)
{
    public Vocabulary Vocabulary { get; } = vocabulary;

    public bool LowerCase { get; } = lowerCase;

    /// <summary>Word pieces of <paramref name="text"/>, without [CLS]/[SEP].</summary>
    public List<string> Tokenize(string text) => throw new NotImplementedException();

    /// <summary>Ids of the word pieces of <paramref name="text"/>, without [CLS]/[SEP].</summary>
    public int[] EncodeIds(string text) => throw new NotImplementedException();

    /// <summary>[CLS] A [SEP] (B [SEP]) with token types, truncating the longer side first to fit <paramref name="maxLength"/>.</summary>
    public EncodedInput Encode(string textA, string? textB = null, int maxLength = 512) => throw new NotImplementedException();

    /// <summary>Text from ids, joining ## continuations.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true) => throw new NotImplementedException();
}

/// <summary>Model input for one sequence: token ids, token types (0 for A, 1 for B) and the attention mask (1 = real token).</summary>
public sealed record EncodedInput(int[] InputIds, int[] TokenTypeIds, int[] AttentionMask);

namespace MiniBioBert.Model.Tokenization;

/// <summary>A WordPiece vocabulary (vocab.txt: one token per line, id = line number − 1). PLACEHOLDER: implemented by the tokenizer work.</summary>
public sealed class Vocabulary
{
    public static Vocabulary Load(string path) => throw new NotImplementedException();

    public int Count => throw new NotImplementedException();

    public int PadId => throw new NotImplementedException();
    public int UnkId => throw new NotImplementedException();
    public int ClsId => throw new NotImplementedException();
    public int SepId => throw new NotImplementedException();
    public int MaskId => throw new NotImplementedException();

    public bool TryGetId(string token, out int id) => throw new NotImplementedException();

    public string GetToken(int id) => throw new NotImplementedException();
}

using System.Text;

namespace MiniBioBert.Model.Tokenization;

/// <summary>The words produced by <see cref="BasicTokenizer"/>, stored in one reusable character buffer.</summary>
internal sealed class WordList
{
    private readonly List<(int Start, int Length)> _words = [];
    private char[] _chars = new char[256];
    private int _length;
    private int _wordStart;

    public int Count => _words.Count;

    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            var (start, length) = _words[index];
            return _chars.AsSpan(start, length);
        }
    }

    public void Clear()
    {
        _words.Clear();
        _length = 0;
        _wordStart = 0;
    }

    /// <summary>Appends a code point to the word being built.</summary>
    public void Append(Rune rune)
    {
        EnsureCapacity(2);
        _length += rune.EncodeToUtf16(_chars.AsSpan(_length));
    }

    /// <summary>Appends characters to the word being built.</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        EnsureCapacity(text.Length);
        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>Closes the word being built; an empty word is not recorded.</summary>
    public void EndWord()
    {
        if (_length > _wordStart)
        {
            _words.Add((_wordStart, _length - _wordStart));
        }

        _wordStart = _length;
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + extra));
        }
    }
}

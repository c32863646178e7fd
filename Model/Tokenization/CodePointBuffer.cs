namespace MiniBioBert.Model.Tokenization;

/// <summary>A growable list of code points, reused between calls to avoid allocations.</summary>
internal sealed class CodePointBuffer
{
    private int[] _items = new int[64];

    public int Count { get; private set; }

    public void Add(int codePoint)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = codePoint;
    }

    public void Clear() => Count = 0;

    /// <summary>Keeps only the first <paramref name="count"/> code points.</summary>
    public void Truncate(int count) => Count = Math.Min(count, Count);

    public Span<int> AsSpan() => _items.AsSpan(0, Count);
}

using System.Numerics;

namespace MiniBioBert.Engine.Memory;

/// <summary>
/// Keeps float arrays that tensors gave back, so that a training step that repeats the shapes of the previous one
/// finds every array it needs here instead of allocating. Arrays come in size classes (<see cref="SizeClass"/>):
/// a request gets an array of its class's length, at least as long as asked. Without classes, shapes that vary from
/// batch to batch (the number of masked positions sets the MLM logits' rows) would leave one array of every length
/// ever seen in the pool, and the memory of a long run would grow without bound.
/// </summary>
public sealed class BufferPool
{
    private readonly Dictionary<int, Stack<float[]>> _free = [];
    private readonly Lock _lock = new();

    /// <summary>The pool every <see cref="TensorScope"/> uses.</summary>
    public static BufferPool Shared { get; } = new();

    /// <summary>How many arrays were created because none of the right length was free.</summary>
    public long Allocations { get; private set; }

    /// <summary>Floats held by arrays that are currently free in the pool.</summary>
    public long FreeFloats { get; private set; }

    /// <summary>
    /// An array of <see cref="SizeClass"/>(<paramref name="length"/>) ≥ <paramref name="length"/> floats, zeroed
    /// when <paramref name="clear"/>. Callers use its first <paramref name="length"/> elements.
    /// </summary>
    public float[] Rent(int length, bool clear)
    {
        length = SizeClass(length);
        lock (_lock)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                var array = stack.Pop();
                FreeFloats -= length;
                if (clear)
                {
                    Array.Clear(array);
                }
                return array;
            }
            Allocations++;
        }
        return clear ? new float[length] : GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>
    /// The array length handed out for a request of <paramref name="length"/> floats: up to 64 exactly, above that
    /// rounded up to the next multiple of an eighth of the largest power of two not above it (so at most 12.5% is
    /// unused, and lengths between 2ᵏ and 2ᵏ⁺¹ share 8 classes).
    /// </summary>
    public static int SizeClass(int length)
    {
        if (length <= 64)
        {
            return length;
        }
        int step = (int)(BitOperations.RoundUpToPowerOf2((uint)length + 1) >> 4);
        return (int)Math.Min(Array.MaxLength, ((long)length + step - 1) / step * step);
    }

    /// <summary>Gives an array back for a later <see cref="Rent"/>.</summary>
    public void Return(float[] array)
    {
        lock (_lock)
        {
            if (!_free.TryGetValue(array.Length, out var stack))
            {
                stack = new Stack<float[]>();
                _free[array.Length] = stack;
            }
            stack.Push(array);
            FreeFloats += array.Length;
        }
    }

    /// <summary>Drops every free array (for tests and for releasing memory between phases).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _free.Clear();
            FreeFloats = 0;
        }
    }
}

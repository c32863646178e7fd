namespace MiniBioBert.Engine.Memory;

/// <summary>
/// Keeps float arrays that tensors gave back, keyed by exact length, so that a training step that
/// repeats the shapes of the previous one finds every array it needs here instead of allocating.
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

    /// <summary>An array of exactly <paramref name="length"/> floats, zeroed when <paramref name="clear"/>.</summary>
    public float[] Rent(int length, bool clear)
    {
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

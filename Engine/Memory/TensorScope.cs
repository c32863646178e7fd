namespace MiniBioBert.Engine.Memory;

/// <summary>
/// An arena for one unit of work (typically one training step): every tensor allocated while the scope is
/// current takes its array from <see cref="BufferPool.Shared"/>, and all of them go back when the scope is disposed.
/// <code>
/// using (new TensorScope())
/// {
///     var loss = model.Forward(batch);   // activations come from the pool
///     loss.Backward();
///     optimizer.Step();
/// }                                      // ... and return to it here
/// </code>
/// Tensors created inside a scope must not be used after it ends. Scopes nest; the innermost one is current.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? _current;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _tensors = [];
    private bool _disposed;

    public TensorScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost scope of this thread, or null when tensors are ordinary garbage-collected arrays.</summary>
    public static TensorScope? Current => _current;

    internal void Track(Tensor tensor) => _tensors.Add(tensor);

    /// <summary>
    /// Suspends the current scope until the result is disposed: tensors made meanwhile are ordinary ones that outlive
    /// the scope (state made while a step's scope may be open, such as an optimizer's moments on a device).
    /// </summary>
    public static IDisposable Suspended() => new Suspension();

    /// <summary>Number of pooled tensors this scope will give back.</summary>
    public int Count => _tensors.Count;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var tensor in _tensors)
        {
            tensor.ReturnToPool();
        }
        _tensors.Clear();
        _current = _outer;
    }

    /// <summary>No scope is current until <see cref="Dispose"/> puts the suspended one back.</summary>
    private sealed class Suspension : IDisposable
    {
        private readonly TensorScope? _suspended = _current;

        public Suspension() => _current = null;

        public void Dispose() => _current = _suspended;
    }
}

namespace MiniBioBert.Engine.Autograd;

/// <summary>
/// Whether operations record themselves for backward. <c>using (GradMode.NoGrad()) { ... }</c> turns recording
/// off (evaluation, inference), like <c>torch.no_grad()</c>.
/// </summary>
public static class GradMode
{
    [ThreadStatic]
    private static int _noGradDepth;

    /// <summary>True unless inside a <see cref="NoGrad"/> scope on this thread.</summary>
    public static bool IsEnabled => _noGradDepth == 0;

    /// <summary>Turns gradient recording off until the returned scope is disposed.</summary>
    public static IDisposable NoGrad() => new NoGradScope();

    private sealed class NoGradScope : IDisposable
    {
        private bool _disposed;

        public NoGradScope() => _noGradDepth++;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _noGradDepth--;
            }
        }
    }
}

using MiniBioBert.Training.Data;

namespace MiniBioBert.Tests.Reliability;

/// <summary>Points <see cref="DataPaths.EnvironmentVariable"/> at a test's data root until disposed, then restores it.</summary>
internal sealed class DataRootOverride : IDisposable
{
    private readonly string? _saved = Environment.GetEnvironmentVariable(DataPaths.EnvironmentVariable);

    public DataRootOverride(string dataRoot) => Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, dataRoot);

    public void Dispose() => Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, _saved);
}

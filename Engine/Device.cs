namespace MiniBioBert.Engine;

/// <summary>Where a tensor's data lives. The SIMD CPU engine is <see cref="Cpu"/>.</summary>
public sealed record Device(string Name)
{
    /// <summary>The multi-threaded SIMD CPU engine.</summary>
    public static Device Cpu { get; } = new("cpu");

    public override string ToString() => Name;
}

namespace MiniBioBert.Tests.Training.Pretraining;

/// <summary>
/// A clock for tests that advances by a fixed <paramref name="tick"/> every time it is read, whatever the machine's
/// speed or load: a run planned against it takes the same decisions on every machine.
/// </summary>
internal sealed class TickingClock(TimeSpan tick) : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, tick.Ticks);
}

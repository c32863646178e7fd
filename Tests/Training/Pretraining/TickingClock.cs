namespace MiniBioBert.Tests.Training.Pretraining;

/// <summary>
/// A clock for tests that advances by a fixed <paramref name="tick"/> every time it is read, whatever the machine's
/// speed or load: a run planned against it takes the same decisions on every machine. Given
/// <paramref name="slowerTick"/>, it advances by that instead from reading <paramref name="slowerAfterReadings"/> on:
/// a machine that becomes slower part-way, so that a plan made from the early pace overshoots.
/// </summary>
internal sealed class TickingClock(TimeSpan tick, TimeSpan? slowerTick = null, long slowerAfterReadings = long.MaxValue) : TimeProvider
{
    private long _ticks;
    private long _readings;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() =>
        Interlocked.Add(ref _ticks, (Interlocked.Increment(ref _readings) > slowerAfterReadings ? slowerTick ?? tick : tick).Ticks);
}

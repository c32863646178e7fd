namespace MiniBioBert.Engine.Memory;

/// <summary>
/// The values a training step needs on the host — its loss, its gradient norm, the predictions behind its accuracy —
/// gathered where they are computed and read together at the end: on a GPU each <see cref="Add"/> queues a copy into
/// one device buffer and <see cref="Download"/> is the step's only wait and only transfer. On a host device the
/// values are copied at once and <see cref="Download"/> has nothing to do.
/// <para>
/// The buffer is allocated once, for <c>capacity</c> floats, and reused by every step (<see cref="Clear"/>).
/// </para>
/// </summary>
public sealed class DeviceReadback
{
    private readonly Tensor _buffer;  // [capacity], on the device
    private readonly float[] _host;   // [capacity], what the last Download brought back
    private int _used;

    public DeviceReadback(Device device, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        using var outlivesAnyStep = TensorScope.Suspended();
        _host = new float[capacity];
        // On a host device the buffer is the host array itself.
        _buffer = device.IsHost ? Tensor.ViewOf(device, _host, 0, capacity) : Tensor.Uninitialized(device, capacity);
    }

    /// <summary>Where the values are computed.</summary>
    public Device Device => _buffer.Device;

    /// <summary>Forgets what was added: the next step starts at the beginning of the buffer.</summary>
    public void Clear() => _used = 0;

    /// <summary>
    /// <paramref name="count"/> floats of the buffer as a tensor on the device, for kernels to write into directly
    /// (no copy); read after <see cref="Download"/> with <see cref="Read"/>.
    /// </summary>
    public Tensor Reserve(int count, out Range slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_used + count > _host.Length)
        {
            throw new InvalidOperationException($"The readback holds {_host.Length} floats; {_used} are taken and {count} more were asked for.");
        }
        slot = _used..(_used + count);
        _used += count;
        return _buffer.Slice(slot.Start.Value, count);
    }

    /// <summary>Queues a copy of <paramref name="values"/> (on this device); returns where to <see cref="Read"/> it.</summary>
    public Range Add(Tensor values)
    {
        Reserve(values.Size, out var slot).CopyFrom(values);
        return slot;
    }

    /// <summary>Brings everything added since <see cref="Clear"/> to the host: one wait and one transfer on a GPU.</summary>
    public void Download()
    {
        if (!Device.IsHost && _used > 0)
        {
            _buffer.Slice(0, _used).CopyTo(_host.AsSpan(0, _used));
        }
    }

    /// <summary>The values of <paramref name="slot"/> as of the last <see cref="Download"/>.</summary>
    public ReadOnlySpan<float> Read(Range slot) => _host.AsSpan(slot);
}

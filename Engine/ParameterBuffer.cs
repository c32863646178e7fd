using ILGPU;
using ILGPU.Runtime;

namespace MiniBioBert.Engine;

/// <summary>
/// All parameters of a model in one flat float array, and all their gradients in a second one of the same
/// layout (llm.c's design). Each parameter is a named <see cref="Tensor"/> view into <see cref="Values"/> whose
/// <see cref="Tensor.Grad"/> is the matching view into <see cref="Gradients"/>. Zeroing the gradients,
/// the optimizer step and checkpointing are then single loops over flat arrays.
/// <see cref="MoveTo"/> moves both buffers to a GPU device (two flat device buffers, the parameters become views
/// into them) and back; the parameter tensors stay the same objects, so layers that hold them need no update.
/// </summary>
public sealed class ParameterBuffer
{
    private readonly Dictionary<string, Tensor> _byName = [];
    private readonly float[] _values;
    private readonly float[] _gradients;
    private MemoryBuffer1D<float, Stride1D.Dense>? _deviceValues;
    private MemoryBuffer1D<float, Stride1D.Dense>? _deviceGradients;

    /// <summary>Lays out the given parameters back to back, in order.</summary>
    public ParameterBuffer(IReadOnlyList<(string Name, int[] Shape)> layout)
    {
        long total = 0;
        foreach (var (_, shape) in layout)
        {
            total += Tensor.ShapeSize(shape);
        }
        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"{total} parameters do not fit in one array.");
        }
        _values = new float[total];
        _gradients = new float[total];
        AllValues = Tensor.ViewOf(_values, 0, _values.Length);
        AllGradients = Tensor.ViewOf(_gradients, 0, _gradients.Length);

        var parameters = new List<NamedParameter>(layout.Count);
        int offset = 0;
        foreach (var (name, shape) in layout)
        {
            var value = Tensor.ViewOf(_values, offset, shape);
            value.Name = name;
            value.RequiresGrad = true;
            value.Grad = Tensor.ViewOf(_gradients, offset, shape);
            if (!_byName.TryAdd(name, value))
            {
                throw new ArgumentException($"Parameter '{name}' appears twice in the layout.");
            }
            parameters.Add(new NamedParameter(name, value, offset));
            offset += value.Size;
        }
        Parameters = parameters;
    }

    /// <summary>Where the parameters and gradients live (<see cref="Device.Cpu"/> until <see cref="MoveTo"/>).</summary>
    public Device Device { get; private set; } = Device.Cpu;

    /// <summary>Every parameter value, back to back (host devices only: on a GPU use <see cref="AllValues"/> or <see cref="MoveTo"/>).</summary>
    public float[] Values => Device.IsHost ? _values : throw OnDevice(nameof(Values));

    /// <summary>Every parameter gradient, in the layout of <see cref="Values"/> (CPU only).</summary>
    public float[] Gradients => Device.IsHost ? _gradients : throw OnDevice(nameof(Gradients));


    /// <summary>Every parameter value as one flat tensor [Count] on the buffer's device: what the optimizer updates.</summary>
    public Tensor AllValues { get; }

    /// <summary>Every parameter gradient as one flat tensor [Count] on the buffer's device, in the layout of <see cref="AllValues"/>.</summary>
    public Tensor AllGradients { get; }

    /// <summary>The parameters in layout order.</summary>
    public IReadOnlyList<NamedParameter> Parameters { get; }

    /// <summary>Total number of parameters.</summary>
    public int Count => _values.Length;

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    public Tensor this[string name] => _byName.TryGetValue(name, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"There is no parameter named '{name}'.");

    /// <summary>Sets every gradient to zero (once per optimizer step; backward accumulates).</summary>
    public void ZeroGradients()
    {
        if (_deviceGradients is { } gradients)
        {
            gradients.MemSetToZero();
        }
        else
        {
            Array.Clear(_gradients);
        }
    }

    /// <summary>
    /// Copies every parameter value into <paramref name="destination"/> (<see cref="Count"/> floats, in layout order),
    /// wherever the parameters are: downloaded from a GPU, copied on a host device. A host snapshot, e.g. of the best
    /// epoch so far.
    /// </summary>
    public void CopyValuesTo(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        AllValues.CopyTo(destination);
    }

    /// <summary>
    /// Sets every parameter value from <paramref name="source"/> (<see cref="Count"/> floats, in layout order), wherever
    /// the parameters are: uploaded to a GPU, copied on a host device. The inverse of <see cref="CopyValuesTo"/>.
    /// </summary>
    public void CopyValuesFrom(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length, nameof(source));
        AllValues.CopyFrom(source);
    }

    private void CheckLength(int length, string name)
    {
        if (length != Count)
        {
            throw new ArgumentException($"The buffer holds {Count} parameters, not {length}.", name);
        }
    }

    /// <summary>
    /// Moves the values and gradients to <paramref name="device"/>: uploads them into two flat device buffers and
    /// points every parameter (and its gradient) at its block there, or downloads them back for <see cref="Device.Cpu"/>.
    /// </summary>
    public void MoveTo(Device device)
    {
        if (device == Device)
        {
            return;
        }
        if (Device.Gpu is { } current)
        {
            current.Download(_deviceValues!.View.SubView(0, Count), _values);
            current.Download(_deviceGradients!.View.SubView(0, Count), _gradients);
            _deviceValues!.Dispose();
            _deviceGradients!.Dispose();
            (_deviceValues, _deviceGradients) = (null, null);
        }
        if (device.Gpu is { } gpu)
        {
            _deviceValues = gpu.Upload<float>(_values);
            _deviceGradients = gpu.Upload<float>(_gradients);
        }
        foreach (var parameter in Parameters)
        {
            parameter.Value.Rebind(device, device.IsHost ? _values : null, _deviceValues);
            parameter.Value.Grad!.Rebind(device, device.IsHost ? _gradients : null, _deviceGradients);
        }
        AllValues.Rebind(device, device.IsHost ? _values : null, _deviceValues);
        AllGradients.Rebind(device, device.IsHost ? _gradients : null, _deviceGradients);
        Device = device;
    }

    private InvalidOperationException OnDevice(string what) =>
        new($"The parameters are on device {Device.Name}: {what} is not in host memory. Call MoveTo(Device.Cpu) first.");
}

/// <summary>One parameter: its name, its tensor (a view into the flat buffer) and where it starts there.</summary>
public sealed record NamedParameter(string Name, Tensor Value, int Offset);

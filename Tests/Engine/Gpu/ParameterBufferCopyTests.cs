using MiniBioBert.Engine;

namespace MiniBioBert.Tests.Engine.Gpu;

/// <summary><see cref="ParameterBuffer.CopyValuesTo"/> and <see cref="ParameterBuffer.CopyValuesFrom"/> on every device.</summary>
[Category("Gpu")]
public class ParameterBufferCopyTests
{
    private static IEnumerable<TestCaseData> Devices()
    {
        yield return new TestCaseData("cpu").SetArgDisplayNames("cpu");
        yield return new TestCaseData("reference").SetArgDisplayNames("reference");
        yield return new TestCaseData("ilgpu-cpu").SetArgDisplayNames("ilgpu-cpu");
    }

    private static Device Open(string name) => name switch
    {
        "cpu" => Device.Cpu,
        "reference" => Device.Reference,
        _ => GpuTestDevice.Device,
    };

    [TestCaseSource(nameof(Devices))]
    public void ValuesGoOutAndComeBackExactly(string name)
    {
        var buffer = new ParameterBuffer([("a", [2, 3]), ("b", [4])]);
        float[] original = [.. Enumerable.Range(1, buffer.Count).Select(i => i / 7f)];
        buffer.CopyValuesFrom(original);
        buffer.MoveTo(Open(name));
        try
        {
            var snapshot = new float[buffer.Count];
            buffer.CopyValuesTo(snapshot);
            Assert.That(snapshot, Is.EqualTo(original), "the values as they are on the device");

            buffer.CopyValuesFrom(new float[buffer.Count]);
            Assert.That(buffer["b"].ToArray(), Is.All.Zero, "the parameters see the new values");
            buffer.CopyValuesFrom(snapshot);
            Assert.That(buffer["a"].ToArray().Concat(buffer["b"].ToArray()), Is.EqualTo(original), "restored bit for bit");
            Assert.Throws<ArgumentException>(() => buffer.CopyValuesTo(new float[buffer.Count - 1]));
            Assert.Throws<ArgumentException>(() => buffer.CopyValuesFrom(new float[buffer.Count + 1]));
        }
        finally
        {
            buffer.MoveTo(Device.Cpu);
        }
    }
}

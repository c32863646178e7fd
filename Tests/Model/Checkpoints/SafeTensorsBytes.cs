using System.Buffers.Binary;
using System.Text;

namespace MiniBioBert.Tests.Model.Checkpoints;

/// <summary>Builds safetensors files byte by byte, so tests control every detail of the layout.</summary>
internal static class SafeTensorsBytes
{
    /// <summary>
    /// The 8-byte length (of the header as given, or <paramref name="declaredLength"/>), the header, the data.
    /// With <paramref name="padTo8"/> the header is padded with spaces as writers do.
    /// </summary>
    public static byte[] Build(string header, byte[] data, bool padTo8 = true, ulong? declaredLength = null)
    {
        var headerBytes = new List<byte>(Encoding.UTF8.GetBytes(header));
        while (padTo8 && headerBytes.Count % 8 != 0)
        {
            headerBytes.Add((byte)' ');
        }
        var file = new byte[8 + headerBytes.Count + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)headerBytes.Count);
        headerBytes.CopyTo(file, 8);
        data.CopyTo(file, 8 + headerBytes.Count);
        return file;
    }

    /// <summary>Little-endian bytes of float32 values.</summary>
    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return bytes;
    }

    /// <summary>One header entry: <c>"name":{"dtype":..,"shape":..,"data_offsets":[b,e]}</c>, compact like serde_json.</summary>
    public static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";
}

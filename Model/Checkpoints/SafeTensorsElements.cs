using System.Buffers.Binary;

namespace MiniBioBert.Model.Checkpoints;

/// <summary>Converts the little-endian bytes of a safetensors tensor to and from .NET element arrays.</summary>
internal static class SafeTensorsElements
{
    /// <summary>Converts <paramref name="raw"/> (little-endian elements of a floating-point type) to float32.</summary>
    public static void ToFloats(SafeTensorsDType dtype, ReadOnlySpan<byte> raw, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = dtype switch
            {
                SafeTensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]),
                SafeTensorsDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]),
                SafeTensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]),
                // bfloat16 is the upper half of a float32.
                SafeTensorsDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16),
                _ => throw new ArgumentException($"{dtype.HeaderName()} is not a floating-point type.", nameof(dtype)),
            };
        }
    }

    /// <summary>Widens <paramref name="raw"/> (little-endian elements of an integer type) to int64.</summary>
    public static void ToInt64s(SafeTensorsDType dtype, ReadOnlySpan<byte> raw, Span<long> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = dtype switch
            {
                SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]),
                SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]),
                SafeTensorsDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]),
                SafeTensorsDType.I8 => (sbyte)raw[i],
                SafeTensorsDType.U8 => raw[i],
                _ => throw new ArgumentException($"{dtype.HeaderName()} is not an integer type.", nameof(dtype)),
            };
        }
    }

    /// <summary>
    /// Swaps <paramref name="bytes"/> between native and little-endian order, element by element
    /// (a no-op on little-endian machines, which is every machine .NET ships for today).
    /// </summary>
    public static void SwapIfBigEndian(Span<byte> bytes, int elementSize)
    {
        if (BitConverter.IsLittleEndian || elementSize == 1)
        {
            return;
        }
        for (int start = 0; start + elementSize <= bytes.Length; start += elementSize)
        {
            bytes.Slice(start, elementSize).Reverse();
        }
    }
}

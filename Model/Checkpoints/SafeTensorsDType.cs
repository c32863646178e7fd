namespace MiniBioBert.Model.Checkpoints;

/// <summary>The element types a safetensors file may declare (the <c>"dtype"</c> field of a header entry).</summary>
public enum SafeTensorsDType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

/// <summary>Names, sizes and kinds of <see cref="SafeTensorsDType"/> values.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>The spelling used in the header JSON, e.g. "F32" or "BOOL".</summary>
    public static string HeaderName(this SafeTensorsDType dtype) =>
        dtype == SafeTensorsDType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 => 2,
        _ => 1,
    };

    /// <summary>True for F64, F32, F16 and BF16: the types <see cref="SafeTensorsFile.ReadFloats"/> converts.</summary>
    public static bool IsFloatingPoint(this SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.F64 or SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>True for I64, I32, I16, I8 and U8: the types <see cref="SafeTensorsFile.ReadInt64s"/> widens.</summary>
    public static bool IsInteger(this SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.I64 or SafeTensorsDType.I32 or SafeTensorsDType.I16 or SafeTensorsDType.I8 or SafeTensorsDType.U8;

    /// <summary>Parses a header spelling (case-sensitive, as the format defines it); false for anything else.</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        foreach (var candidate in Enum.GetValues<SafeTensorsDType>())
        {
            if (candidate.HeaderName() == name)
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>All header spellings, for error messages.</summary>
    public static string AllHeaderNames => string.Join(", ", Enum.GetValues<SafeTensorsDType>().Select(d => d.HeaderName()));
}

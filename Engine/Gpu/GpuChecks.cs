using ILGPU;

namespace MiniBioBert.Engine.Gpu;

/// <summary>Host-side argument checks for the kernel launchers (kernels themselves cannot throw).</summary>
internal static class GpuChecks
{
    /// <summary>Throws unless <paramref name="view"/> has exactly <paramref name="length"/> elements.</summary>
    public static void Length<T>(string kernel, string name, ArrayView<T> view, long length) where T : unmanaged
    {
        if (view.Length != length)
        {
            throw new ArgumentException($"{kernel}: {name} has {view.Length} elements, expected {length}.");
        }
    }

    /// <summary>Throws unless <paramref name="view"/> holds whole rows of <paramref name="columns"/> elements; returns the row count.</summary>
    public static int Rows<T>(string kernel, string name, ArrayView<T> view, int columns) where T : unmanaged
    {
        if (columns <= 0 || view.Length % columns != 0)
        {
            throw new ArgumentException($"{kernel}: {name} has {view.Length} elements, which is not a whole number of rows of {columns}.");
        }
        return (int)(view.Length / columns);
    }
}

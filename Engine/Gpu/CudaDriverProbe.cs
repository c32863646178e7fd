using System.Runtime.InteropServices;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Why ILGPU found no CUDA device, in words: ILGPU loads the driver library by the name <c>libcuda.so</c> (on Linux),
/// which only the driver's development package links; a machine with just the driver has <c>libcuda.so.1</c>, and
/// ILGPU then lists no CUDA accelerator and says nothing.
/// </summary>
internal static class CudaDriverProbe
{
    /// <summary>One sentence on the driver libraries that can and cannot be loaded, and what to do.</summary>
    public static string Explain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return TryLoad("nvcuda.dll")
                ? "The CUDA driver (nvcuda.dll) loads, but reports no device."
                : "The CUDA driver library nvcuda.dll could not be loaded: is an NVIDIA driver installed?";
        }
        bool plain = TryLoad("libcuda.so"), versioned = TryLoad("libcuda.so.1");
        return (plain, versioned) switch
        {
            (true, _) => "ILGPU looked for the CUDA driver as libcuda.so, which loads, but the driver reports no device (is a GPU visible to this process?).",
            (false, true) => "ILGPU looks for the CUDA driver as libcuda.so, which is absent; libcuda.so.1 (the driver itself) is present: " +
                "link it as libcuda.so in a folder on LD_LIBRARY_PATH (../shared/gpu/README.md shows how).",
            _ => "ILGPU looked for the CUDA driver as libcuda.so, and neither it nor libcuda.so.1 could be loaded: no NVIDIA driver is installed here.",
        };
    }

    private static bool TryLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }
        NativeLibrary.Free(handle);
        return true;
    }
}

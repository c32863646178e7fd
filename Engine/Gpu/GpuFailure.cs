using MiniBioBert.Engine.IO;

namespace MiniBioBert.Engine.Gpu;

/// <summary>
/// Turns a failure of the GPU path into one line for the user: which device, the kernel launched last there (CUDA
/// reports a kernel's failure at the next launch or wait, so the last kernel is the likeliest culprit) and the cause.
/// Recognised: ILGPU's own exceptions (a kernel that cannot be compiled or loaded, an out-of-resources launch, a
/// driver error) and a native library that cannot be loaded (the driver, the PTX JIT), also when wrapped.
/// </summary>
public static class GpuFailure
{
    /// <summary>The one-line description of <paramref name="exception"/>, or null when it is not a device failure.</summary>
    public static string? Describe(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            bool fromIlgpu = e.GetType().Namespace?.StartsWith("ILGPU", StringComparison.Ordinal) == true;
            if (fromIlgpu || e is DllNotFoundException or EntryPointNotFoundException)
            {
                var device = GpuDevice.LastActive;
                string where = device is null
                    ? "the GPU path"
                    : $"device {device.Name} ({device.Accelerator.Name}), last kernel launched: {device.LastKernel ?? "none"}";
                return $"{where}: {e.GetType().Name}: {InputText.Quote(e.Message)}";
            }
        }
        return null;
    }
}

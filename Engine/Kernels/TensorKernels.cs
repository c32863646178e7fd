using ILGPU;
using ILGPU.Runtime;
using MiniBioBert.Engine.Gpu;
using MiniBioBert.Engine.Reference;
using MiniBioBert.Engine.Memory;

namespace MiniBioBert.Engine.Kernels;

/// <summary>
/// The one place where the engine chooses a kernel. Each method takes tensors and runs, by their <see cref="Device"/>:
/// the plain loops of <see cref="Reference.ReferenceKernels"/> on <see cref="Device.Reference"/> (checked first, so a
/// learner steps from a layer into a loop in two steps), the GPU twin of <see cref="Gpu"/> on device views for an
/// accelerator, and otherwise the fast kernel of <see cref="Cpu"/> on <see cref="Tensor.Memory"/> — all three with the
/// same meaning (and, for backward kernels, the same "add into the gradient" convention unless the method says
/// "written"). <see cref="Ops"/> and the model's layers call these methods, so neither needs to know where the data is.
/// Every fused CPU kernel has a fused GPU twin (same formula, the same dropout mask bits; float rounding may differ
/// in the last bits). Every method has the same three-way shape; the
/// branches repeat by design, so that each method reads on its own.
/// </summary>
public static partial class TensorKernels
{
    /// <summary>Sets every element to <paramref name="value"/> (on a GPU, by uploading a filled array: for small tensors).</summary>
    public static void Fill(Tensor tensor, float value)
    {
        if (tensor.Device.IsReference)
        {
            ReferenceKernels.Fill(tensor, value);
            return;
        }
        if (tensor.Device.Gpu is { } gpu)
        {
            var values = new float[tensor.Size];
            Array.Fill(values, value);
            gpu.Upload<float>(values, tensor.DeviceView);
        }
        else
        {
            tensor.Span.Fill(value);
        }
    }

    /// <summary>Sets every element to zero (for GPU kernels that add where the CPU kernel writes).</summary>
    internal static void ZeroOnGpu(Tensor tensor) => tensor.DeviceView.MemSetToZero();

    /// <summary>
    /// Row indices (token ids, positions, targets) on <paramref name="device"/>, checked on the host first: each must lie
    /// in [0, <paramref name="limit"/>) or equal <paramref name="allowed"/>. They go into a float buffer of the device's
    /// pool, viewed as ints: inside a <see cref="TensorScope"/> it returns to the pool when the scope ends, so a warm
    /// step allocates no device memory for its indices.
    /// </summary>
    internal static ArrayView<int> UploadIndices(Device device, int[] indices, int limit, string what, int? allowed = null)
    {
        GpuDevice.CheckIndices(indices, limit, what, allowed);
        var storage = Tensor.Uninitialized(device, Math.Max(1, indices.Length));
        var view = storage.DeviceView.Cast<int>().SubView(0, indices.Length);
        device.Gpu!.Upload<int>(indices, view);
        return view;
    }
}
